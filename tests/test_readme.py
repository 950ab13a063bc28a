"""Every Python block of the README and of the docs pages runs, in order, as written (one
fresh process per page).

A block after ``<!-- file: NAME -->`` is written to the file NAME instead (a module the
next blocks import); a block after ``<!-- not run by tests/test_readme.py: why -->``
is left out, with its reason in the README.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: The pages whose Python blocks run; the others hold none (checked below).
PAGES = ("README.md", "docs/own-nets.md")
BLOCK = re.compile(
    r"(?:<!-- (file|not run by tests/test_readme.py): ([^>]*?) -->\n)?```python\n(.*?)```", re.S
)


def blocks(page: str = "README.md") -> list[tuple[str | None, str, str]]:
    """(marker, its value, code) of every Python block of ``page``, in order."""
    found = BLOCK.finditer((ROOT / page).read_text())
    return [(m.group(1), (m.group(2) or "").strip(), m.group(3)) for m in found]


def test_every_skipped_block_says_why_and_no_other_page_has_blocks():
    skipped = [value for marker, value, _ in blocks() if marker and marker != "file"]
    assert skipped and all(len(reason.split()) >= 3 for reason in skipped)
    others = [p for p in (ROOT / "docs").glob("*.md") if f"docs/{p.name}" not in PAGES]
    assert [p.name for p in others if "```python" in p.read_text()] == []


@pytest.mark.parametrize("page", PAGES)
def test_the_python_blocks_of_a_page_run_in_order(page, tmp_path):
    for module in ("torch", "skorch", "keras", "scikeras", "mlflow"):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"the README's blocks need {module} (the test extra)")
    script = []
    for marker, value, code in blocks(page):
        if marker == "file":
            (tmp_path / value).write_text(code)
        elif marker is None:
            script.append(code)
    (tmp_path / "readme.py").write_text("\n".join(script))
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "MLFLOW_TRACKING_URI": "sqlite:///m.db"}
    env.pop("KERAS_BACKEND", None)
    done = subprocess.run(
        [sys.executable, "readme.py"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
