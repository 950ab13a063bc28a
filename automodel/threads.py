"""One thread per estimator: how trials and the final refit share the cores.

automodel decides how cores are shared (``n_jobs`` trials or members at once);
each estimator then runs on one thread, so a refit costs what its trials' fold fits
suggested (the refit reserve is planned from them) and nothing oversubscribes.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from threadpoolctl import threadpool_limits

__all__ = ["one_thread"]


@contextmanager
def one_thread() -> Iterator[None]:
    """BLAS and OpenMP pools (threadpoolctl) and torch, when imported, on one thread."""
    torch = sys.modules.get("torch")
    torch_threads = torch.get_num_threads() if torch is not None else None
    limits = threadpool_limits(limits=1)
    if torch is not None:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        limits.restore_original_limits()
        if torch is not None and torch_threads is not None:
            torch.set_num_threads(torch_threads)
