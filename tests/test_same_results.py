"""benchmarks/same_results.py: what counts as a difference between two recorded searches."""

from __future__ import annotations

from benchmarks.same_results import _differences


def _search(**changes):
    base = {
        "best_params": {"family": "forest", "n_estimators": 100},
        "best_score": 0.5,
        "trial_scores": [0.1, None, 0.3],
        "predictions": ["a", "b"],
    }
    return {**base, **changes}


def test_identical_searches_have_no_difference():
    assert _differences(_search(), _search()) == []


def test_a_float_gap_is_named_with_its_size_and_labels_without():
    found = _differences(
        _search(), _search(trial_scores=[0.1 + 1e-9, None, 0.3], predictions=["a", "c"])
    )
    assert found == ["trial_scores (largest gap 1.0e-09)", "predictions"]


def test_other_params_or_a_failed_trial_differ_plainly():
    found = _differences(
        _search(),
        _search(best_params={"family": "knn"}, trial_scores=[0.1, 0.2, 0.3], best_score=0.6),
    )
    assert found == ["best_params", "trial_scores", "best_score"]
