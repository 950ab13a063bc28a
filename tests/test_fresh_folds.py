from __future__ import annotations

import re

import numpy as np
import pytest
from hyperopt import tpe

from automodel import TPE
from benchmarks.fresh_folds import Scored, main, paired


def test_paired_leads_and_test_wins():
    a = [Scored(0.90, 0.85, 0.80, "svm"), Scored(0.80, 0.80, 0.70, "knn")]
    b = [Scored(0.88, 0.86, 0.80, "svm"), Scored(0.80, 0.78, 0.75, "knn")]
    table = paired({"tpe": a, "rand": b}, "tpe").iloc[0]
    assert table["against"] == "rand"
    assert table["cv lead"] == pytest.approx(1.0)
    assert table["fresh lead"] == pytest.approx(0.5)
    assert table["test lead"] == pytest.approx(-2.5)
    assert table["test w/t/l"] == "0/1/1"


def test_main_scores_each_winner_three_ways(capsys):
    assert main(["--datasets", "iris", "--seeds", "0", "--max-evals", "3", "--cv", "3"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("iris"))
    numbers = [float(x) for x in re.findall(r"\d\.\d{4}", row)]
    assert len(numbers) == 6  # cv, fresh, test for tpe and for rand
    assert all(0.5 < x <= 1.0 for x in numbers)
    assert "tpe ahead of" in out and "rand" in out.split("tpe ahead of")[1]
    assert np.isfinite(float(re.search(r"fresh\s+([\d.]+)", out).group(1)))


def test_tpe_gamma_reaches_tpe_through_algo(monkeypatch, capsys):
    seen = []
    suggest = tpe.suggest

    def recording(*args, **kwargs):
        seen.append(kwargs["gamma"])
        return suggest(*args, **kwargs)

    monkeypatch.setattr(tpe, "suggest", recording)
    argv = ["--datasets", "iris", "--seeds", "0", "--max-evals", "12", "--cv", "3"]
    assert main([*argv, "--algos", "tpe", "--tpe-gamma", "1.0"]) == 0
    out = capsys.readouterr().out
    assert f"TPE gamma 1.0, start-up trials {TPE().n_startup_trials}" in out
    assert seen and set(seen) == {1.0}
    assert TPE().gamma == 0.25  # the default TPE is untouched


@pytest.mark.parametrize(
    ("argv", "names"),
    [
        (["--datasets", "no_such_table"], "Unknown dataset 'no_such_table'"),
        (["--datasets", "iris", "--max-evals", "0"], "--max-evals >= 1"),
        (["--datasets", "iris", "--cv", "1"], "--cv >= 2"),
        (["--datasets", "iris", "--tpe-gamma", "0"], "0 < --tpe-gamma <= 1"),
    ],
)
def test_bad_arguments_are_named_not_a_traceback(argv, names, capsys):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    assert names in capsys.readouterr().err
