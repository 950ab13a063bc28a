"""The documentation builds in strict mode, and the README's links lead somewhere."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def slug(heading: str) -> str:
    """A heading's anchor as GitHub (and MkDocs' toc) write it."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    return {slug(line.lstrip("#")) for line in markdown.splitlines() if line.startswith("#")}


def test_slugs_follow_githubs_rule():
    heading = "### Neural networks: `torch_mlp` against scikit-learn's MLP"
    assert slug(heading.lstrip("#")) == "neural-networks-torch_mlp-against-scikit-learns-mlp"


def _leads_somewhere(source: Path, target: str) -> bool:
    if target.startswith(("http://", "https://", "mailto:")):
        return True
    path, _, anchor = target.partition("#")
    found = (source.parent / path).resolve() if path else source
    if not found.exists():
        return False
    return not anchor or found.suffix != ".md" or anchor in anchors(found.read_text())


@pytest.mark.parametrize("page", ["README.md", "benchmarks/README.md", "docs/index.md"])
def test_every_relative_link_of_a_page_leads_to_a_file_and_heading(page):
    source = ROOT / page
    links = LINK.findall(source.read_text())
    assert [t for t in links if not _leads_somewhere(source, t)] == []


def test_the_link_check_sees_the_readmes_links_and_finds_a_broken_one(tmp_path):
    assert len(LINK.findall((ROOT / "README.md").read_text())) >= 10
    page = tmp_path / "page.md"
    page.write_text("# Top\n[ok](#top) [gone](missing.md) [no heading](page.md#nowhere)\n")
    assert [_leads_somewhere(page, t) for t in LINK.findall(page.read_text())] == [
        True,
        False,
        False,
    ]


def test_the_docs_build_in_strict_mode(tmp_path):
    if importlib.util.find_spec("mkdocs") is None:
        pytest.skip("the docs extra is not installed: pip install '.[docs]'")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "site" / "benchmarks" / "index.html").is_file()
