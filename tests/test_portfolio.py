"""The learned portfolio's tooling (benchmarks/portfolio.py, benchmarks/portfolio_pool.py)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hyperopt import space_eval

from automodel import AutoModelClassifier
from automodel.families import DataInfo, resolve_families
from automodel.space import build_space, decode
from benchmarks.datasets import DatasetSpec
from benchmarks.portfolio import build, errors, leave_tables_out, main
from benchmarks.portfolio_pool import Candidate, sample_pool, score_pool
from benchmarks.protocol import holdout_split


def test_the_pool_is_each_default_then_seeded_draws_that_decode():
    pool = sample_pool(["logreg", "forest"], "classification", per_family=3, seed=5)
    assert [c.id for c in pool] == [
        "logreg/default",
        *(f"logreg/{k}" for k in range(3)),
        "forest/default",
        *(f"forest/{k}" for k in range(3)),
    ]
    assert pool == sample_pool(["logreg", "forest"], "classification", per_family=3, seed=5)
    assert pool != sample_pool(["logreg", "forest"], "classification", per_family=3, seed=6)
    info = DataInfo(200, 4, 3, cv=5)
    for candidate in pool:
        (family,) = resolve_families([candidate.family])
        space = build_space([family], info)
        decoded = decode(space_eval(space, {"family": 0, **candidate.point}))
        assert decoded.family == candidate.family


def test_a_candidate_scores_as_the_same_point_scores_in_a_search():
    spec = DatasetSpec("iris", "sklearn")
    pool = sample_pool(["logreg", "knn"], "classification", per_family=1)
    found: list[dict] = []
    score_pool(spec, 0, pool, cv=3, say=found.append)
    assert [r["candidate"] for r in found] == [c.id for c in pool]
    assert all(r["status"] == "ok" and 0 < r["score"] <= 1 for r in found)
    # A search with the same seed and folds starts with the two defaults: same scores.
    X, y = spec.load()
    X_search, _, y_search, _ = holdout_split(X, np.asarray(y), 0)
    model = AutoModelClassifier(
        families=["logreg", "knn"], max_evals=2, cv=3, random_state=0, trial_timeout=None
    ).fit(X_search, y_search)
    by_id = {r["candidate"]: r["score"] for r in found}
    searched = model.cv_results_["mean_test_score"]
    assert searched[0] == pytest.approx(by_id["logreg/default"], abs=1e-12)
    assert searched[1] == pytest.approx(by_id["knn/default"], abs=1e-12)
    again: list[dict] = []
    score_pool(spec, 0, pool, cv=3, done={"logreg/default", "logreg/0"}, say=again.append)
    assert [r["candidate"] for r in again] == ["knn/default", "knn/0"]


def _records(scores: dict[str, list[float | None]], seconds: float = 1.0) -> list[dict]:
    """Records of candidates over problems t0/0, t1/0, ...: one score list per candidate."""
    return [
        {"dataset": f"t{p}", "seed": 0, "candidate": c, "score": s, "seconds": seconds}
        for c, values in scores.items()
        for p, s in enumerate(values)
    ]


def test_errors_are_zero_for_the_best_and_one_from_the_median():
    normalised, _ = errors(_records({"a": [0.9, 0.5], "b": [0.8, 0.5], "c": [0.7, None]}))
    assert normalised.loc["t0/0"].tolist() == [0.0, 1.0, 1.0]  # c is twice the span: clipped
    assert normalised.loc["t1/0"].tolist() == [0.0, 0.0, 1.0]  # all level; c failed


def test_greedy_build_takes_the_best_alone_then_what_complements_it():
    normalised = pd.DataFrame(
        {"a": [0.0, 1.0, 1.0], "b": [1.0, 0.0, 0.0], "c": [0.3, 0.3, 0.3], "d": [1.0, 0.0, 0.0]},
        index=["t0/0", "t1/0", "t2/0"],
    )
    seconds = pd.Series({"a": 1.0, "b": 5.0, "c": 1.0, "d": 2.0})
    assert build(normalised, seconds, 1) == ["c"]
    # b and d complete c on two tables (a tie: d is the cheaper), then a on the third.
    assert build(normalised, seconds, 3) == ["c", "d", "a"]


def test_leave_tables_out_builds_without_the_held_out_table():
    normalised = pd.DataFrame(
        {"a/default": [0.0, 1.0, 1.0], "b/0": [1.0, 0.0, 0.0], "c/0": [0.3, 0.3, 0.3]},
        index=["t0/0", "t1/0", "t2/0"],
    )
    seconds = pd.Series({"a/default": 1.0, "b/0": 1.0, "c/0": 1.0})
    table = leave_tables_out(normalised, seconds, size=1, groups=3, families=["a"])
    assert table["table"].tolist() == ["t0", "t1", "t2"]
    # Without t0, b is best on the rest, and worst on t0; with all three, c.
    assert table["portfolio"].tolist() == [1.0, 0.3, 0.3]
    assert table["defaults"].tolist() == [0.0, 1.0, 1.0]
    assert table["in_sample"].tolist() == [0.3, 0.3, 0.3]


def test_build_and_check_from_the_command_line(tmp_path, capsys):
    records = tmp_path / "pool.jsonl"
    rows = _records({"x/default": [0.9, 0.9, 0.7], "x/0": [0.5, 0.8, 0.6], "y/0": [0.7, 0.7, 0.9]})
    for row in rows:
        name = row["candidate"]
        row.update(task="classification", family=name.split("/")[0], point={"x.k": 1})
    records.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "portfolio.json"
    assert main(["build", "--records", str(records), "--size", "2", "--out", str(out)]) == 0
    document = json.loads(out.read_text())
    assert [c["id"] for c in document["candidates"]] == ["x/default", "y/0"]
    assert document["built_from"] == ["t0", "t1", "t2"] and document["problems"] == 3
    assert main(["check", "--records", str(records), "--size", "1", "--groups", "3"]) == 0
    assert "held-out tables" in capsys.readouterr().out
    # Only family x's candidates: its best pair on t0..t2, without y/0.
    only_x = ["--records", str(records), "--size", "2", "--families", "x", "--out", str(out)]
    assert main(["build", *only_x]) == 0
    assert [c["id"] for c in json.loads(out.read_text())["candidates"]] == ["x/default", "x/0"]
    # With all three tables the best single candidate is x/default (built first above);
    # with t2 alone, y/0.
    alone = ["build", "--records", str(records), "--size", "1", "--without", "t0", "t1"]
    assert main([*alone, "--out", str(out)]) == 0
    document = json.loads(out.read_text())
    assert document["built_from"] == ["t2"]
    assert [c["id"] for c in document["candidates"]] == ["y/0"]
    with pytest.raises(SystemExit, match="--without t9: no such table"):
        main([*alone[:-2], "t9", "--out", str(out)])
    with pytest.raises(SystemExit, match="no candidate records left"):
        main([*alone, "t2", "--out", str(out)])


def test_candidates_in_worker_processes_are_stopped_at_the_limit():
    (default,) = sample_pool(["forest"], "classification", per_family=0)
    slow = Candidate("forest/slow", "forest", {**default.point, "forest.n_estimators": 3000})
    (fast,) = sample_pool(["knn"], "classification", per_family=0)
    found: list[dict] = []
    score_pool(DatasetSpec("iris", "sklearn"), 0, [slow, fast], 3, None, found.append, 2, 1.0)
    by_id = {r["candidate"]: r for r in found}
    assert (by_id["forest/slow"]["status"], by_id["forest/slow"]["reason"]) == ("fail", "timeout")
    assert by_id["forest/slow"]["score"] is None
    assert by_id["knn/default"]["status"] == "ok" and by_id["knn/default"]["score"] > 0.8


def test_collect_scores_only_the_named_families_and_resumes(tmp_path):
    records = tmp_path / "pool.jsonl"
    args = ["collect", "--datasets", "iris", "--per-family", "1", "--cv", "2"]
    args += ["--families", "knn", "--records", str(records)]
    assert main(args) == 0
    first = [json.loads(line) for line in records.read_text().splitlines()]
    assert [r["candidate"] for r in first] == ["knn/default", "knn/0"]
    assert all(r["status"] == "ok" for r in first)
    # The same command again scores nothing new.
    assert main(args) == 0
    assert len(records.read_text().splitlines()) == 2
