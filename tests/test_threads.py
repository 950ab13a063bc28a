"""Estimators on one thread during the search and the refit."""

from __future__ import annotations

import sys
import types

from threadpoolctl import threadpool_info

from automodel.threads import one_thread


def test_thread_pools_hold_one_thread_inside_and_are_restored_after():
    before = [pool["num_threads"] for pool in threadpool_info()]
    with one_thread():
        assert all(pool["num_threads"] == 1 for pool in threadpool_info())
    assert [pool["num_threads"] for pool in threadpool_info()] == before


def test_torch_threads_when_torch_is_imported(monkeypatch):
    calls = []
    fake = types.SimpleNamespace(get_num_threads=lambda: 4, set_num_threads=calls.append)
    monkeypatch.setitem(sys.modules, "torch", fake)
    with one_thread():
        assert calls == [1]
    assert calls == [1, 4]
