"""Each setting of a search declared once: its default, constraints, doc and CLI flag.

:data:`SETTINGS` holds one :class:`Setting` per parameter of the estimators, in their
signature's order; their constraints, docstrings (``_docs.py``), the ``automodel fit``
flags (``cli_options.py``) and :class:`Settings` (what the engine reads) come from it.
A new setting is one entry here, one parameter of ``AutoModelEstimator.__init__`` and
one row of the README's Options table; ``tests/test_settings.py`` checks they agree.
"""

from __future__ import annotations

import os
from numbers import Integral, Real
from typing import Any

from sklearn.metrics import get_scorer_names
from sklearn.utils._param_validation import Interval, StrOptions

from automodel import declare
from automodel.declare import Flag, Setting
from automodel.families import Family

__all__ = ["PARAMETER_CONSTRAINTS", "SETTINGS", "Settings"]


_TRIALS = 50
_AT_LEAST_1 = Interval(Integral, 1, None, closed="left")
_SECONDS = Interval(Real, 0, None, closed="neither")

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "max_evals",
        _TRIALS,
        (None, _AT_LEAST_1),
        "int or None",
        "Number of trials (candidate pipelines scored by cross-validation). None searches "
        "until ``timeout`` (which is then required), keeping the refit reserve.",
        Flag(
            "--max-evals",
            "number of trials (default: 50; with --timeout and no --max-evals, "
            "as many as the time budget allows)",
            int,
            default=None,
            to_param=lambda n, args: _TRIALS if n is None and args.timeout is None else n,
        ),
    ),
    Setting(
        "cv",
        5,
        (Interval(Integral, 2, None, closed="left"),),
        "int",
        "Number of shuffled folds used to score each trial (stratified for classes).",
        Flag("--cv", "cross-validation folds (default: 5)", int),
    ),
    Setting(
        "algo",
        "tpe",
        (StrOptions({"tpe", "rand", "anneal"}), callable),
        '{"tpe", "rand", "anneal"} or callable',
        "hyperopt's suggestion algorithm, or a suggestion function such as "
        "``automodel.TPE(n_startup_trials=10, gamma=0.25)``.",
        Flag("--algo", "suggestion algorithm: tpe, rand or anneal (default: tpe)"),
    ),
    Setting(
        "scoring",
        None,
        (None, StrOptions(set(get_scorer_names())), callable),
        "str, callable or None",
        "A scikit-learn scorer name or a scorer callable ``scorer(estimator, X, y)``; the "
        'search minimises minus its mean over the folds. None: "accuracy" for '
        'classification, "r2" for regression. A scorer name of the other task is refused.',
        Flag(
            "--scoring",
            "scikit-learn scorer name (default: accuracy for classes, r2 for regression)",
        ),
    ),
    Setting(
        "families",
        None,
        (None, str, list, tuple, Family),
        "None, str or list of (str or Family)",
        'Families to search: None (the compact "default" set; from 62,500 rows "large": '
        'LightGBM, linear, XGBoost, forests), "default", "all", "classic" (KNN, SVM, tree, '
        'forest), "large", names, or :class:`automodel.Family` records that serve the task.',
        Flag(
            "--families",
            "comma-separated families to search, e.g. svm,knn, a preset: default, all, "
            "classic, large, or module:attribute of your own automodel.Family, e.g. "
            "default,mynets:pimanet (default: logreg or linear, forest, xgboost, svm, "
            "extra_trees, knn; from 62,500 rows the large preset)",
            to_param=lambda text, _: None if text is None else declare.families_arg(text),
        ),
    ),
    Setting(
        "random_state",
        None,
        ("random_state",),
        "int, RandomState instance or None",
        "Seeds the suggestions, the CV split and every estimator: the same seed and "
        "``max_evals`` give the same ``cv_results_`` and ``best_params_``.",
        Flag("--seed", "random seed for a reproducible run", int),
    ),
    Setting(
        "n_jobs",
        -1,
        (None, Integral),
        "int or None",
        "Cores automodel may use (-1: all, None: 1): that many trials at once, each single-"
        "threaded, ordered so that the same seed gives the same trials on as many cores.",
        Flag("--n-jobs", "cores automodel may use (default: -1, all)", int),
    ),
    Setting(
        "timeout",
        None,
        (None, _SECONDS),
        "float or None",
        "Seconds for the whole ``fit``, final refit included.",
        Flag(
            "--timeout",
            "seconds for the whole fit, final refit included (default: no limit)",
            declare.positive_float,
        ),
    ),
    Setting(
        "trial_timeout",
        300,
        (None, _SECONDS),
        "float or None",
        "Seconds one trial may take. Trials run in worker processes that are stopped for "
        'real when they overrun; the trial is recorded as failed ("timeout") and the search '
        "goes on. None runs trials in this process, without a limit (least overhead).",
        Flag(
            "--trial-timeout",
            "seconds one trial may take before it is stopped and counted "
            "as failed; none: trials run in this process without a limit (default: 300)",
            declare.seconds_or_none,
        ),
    ),
    Setting(
        "early_stop_rounds",
        None,
        (None, _AT_LEAST_1),
        "int or None",
        "Stop after this many trials without improving the best score.",
        Flag(
            "--early-stop-rounds",
            "stop after this many trials without improvement (default: off)",
            int,
        ),
    ),
    Setting(
        "defaults_first",
        True,
        ("boolean",),
        "bool",
        "Evaluate each family's well-known default first, before the algorithm suggests, "
        "so that a small budget already returns a strong model.",
    ),
    Setting(
        "holdout_above",
        20_000,
        (None, _AT_LEAST_1),
        "int or None",
        "Tables with more rows than this score each trial on one 80/20 holdout split "
        "(stratified for classes) instead of ``cv`` folds.",
    ),
    Setting(
        "screening",
        "auto",
        (None, "boolean", StrOptions({"auto"}), _AT_LEAST_1),
        '"auto", bool, int or None',
        "On the holdout split, a trial first trains on a subsample of the training rows; "
        "the best quarter at each rung goes on to 4x the rows, up to all of them "
        '(asynchronous successive halving; LightGBM\'s defaults skip the rungs). "auto" or True: '
        "the first rung has 12,500 rows (on when the training part has 50,000); an int: "
        "the first rung's rows; False or None: every trial on all rows.",
        Flag(
            "--screening",
            "low-fidelity screening on large tables: auto, off or the "
            "first rung's rows (default: auto)",
            declare.screening_arg,
            metavar="auto|off|N",
        ),
    ),
    Setting(
        "ensemble",
        "auto",
        (None, "boolean", StrOptions({"auto"}), Interval(Integral, 2, None, closed="left")),
        '"auto", True, int, None or False',
        "Greedy ensemble selection (Caruana et al. 2004) over the best trials' out-of-fold "
        "predictions under ``scoring``: integer weights over distinct pipelines, refit on "
        "all rows as one weighted soft ``VotingClassifier`` or ``VotingRegressor``. "
        '"auto" builds one where it paid in the benchmarks: for regression up to '
        "``holdout_above`` rows, for classification from 1,000 rows up to ``holdout_above`` "
        "(smaller tables are bagged, see ``bagging``), and of at most two members from "
        "62,500 rows; True builds one for either task and any size. An int caps the "
        "distinct members; None or False keeps the single best pipeline. The single best "
        "is also kept when it cannot take part (an ``SVC``, without class probabilities, "
        "a family trained on a row cap, a trial stopped by screening), when no mix beats "
        "it, or when the members' refit does not fit in ``timeout``.",
        Flag(
            "--ensemble",
            "weighted ensemble of the best trials chosen on their out-of-fold predictions: "
            "auto (regression, and classification from 1,000 rows, up to holdout_above "
            "rows; two members at most from 62,500 rows; else the single best), on, none "
            "(the single best pipeline) or N (at most N distinct members) (default: auto)",
            declare.ensemble_arg,
            metavar="auto|on|none|N",
        ),
    ),
    Setting(
        "bagging",
        "auto",
        ("boolean", StrOptions({"auto"})),
        '"auto" or bool',
        "When the single best pipeline predicts: instead of one refit on all rows, its "
        "``cv`` fold models (each fitted on its fold's training rows, as in its trial) "
        "average their predictions, as one ``VotingClassifier`` (soft; hard votes without "
        "``predict_proba``) or ``VotingRegressor`` of frozen pipelines. Predicting costs "
        '``cv`` times more. "auto" bags classification searches on fewer than 1,000 rows '
        "(where it paid in the benchmarks); True bags any search with folds (not the "
        "holdout split); False never bags. When the fold fits do not fit in ``timeout`` "
        "or one fails, the refit is kept and ``bagging_note_`` says why (a warning too "
        "with True).",
        Flag(
            "--bagging",
            "the single best's fold models averaged instead of one refit on all "
            "rows: auto (classification under 1,000 rows), on or off (default: auto)",
            choices={"auto": "auto", "on": True, "off": False},
        ),
    ),
    Setting(
        "checkpoint",
        None,
        (None, str, os.PathLike),
        "str, path or None",
        "File where the trials are saved after every trial; fitting again with the same "
        "file, data and settings continues the search.",
        Flag(
            "--checkpoint",
            "file to save the search to after every trial; running the same "
            "command again continues from it (default: none)",
        ),
    ),
    Setting(
        "backend",
        "local",
        (StrOptions({"local", "spark"}),),
        '{"local", "spark"}',
        '"spark" runs each trial as a Spark job (``automodel[spark]``).',
        Flag(
            "--spark",
            "run trials on Apache Spark at this master URL (local[4], "
            "spark://host:7077, yarn, ...); needs the automodel[spark] extra (default: local "
            "worker processes)",
            metavar="MASTER",
            default=None,
            to_param=lambda master, _: "local" if master is None else "spark",
        ),
    ),
    Setting(
        "parallelism",
        None,
        (None, _AT_LEAST_1),
        "int or None",
        "Trials run at once on Spark (None: Spark's default parallelism).",
        Flag(
            "--parallelism", "trials at once on Spark (default: Spark's default parallelism)", int
        ),
    ),
    Setting(
        "mlflow_logging",
        None,
        (None, "boolean"),
        "bool or None",
        "MLflow tracking (``automodel[mlflow]``): None logs when an MLflow run is active, "
        "True starts a run if none is, False never logs. The run gets the parameters, each "
        "trial as a nested run, the leaderboard and the model.",
        Flag(
            "--mlflow",
            "log the search to MLflow (a run, one nested run per trial, the "
            "model); the store is MLFLOW_TRACKING_URI's; needs automodel[mlflow]",
            switch=(None, True),
        ),
    ),
    Setting(
        "verbose",
        0,
        ("verbose",),
        "int",
        "0: silent; 1: a progress bar.",
        Flag("--quiet", "no progress bar", switch=(1, 0)),
    ),
)

#: The estimators' ``_parameter_constraints``.
PARAMETER_CONSTRAINTS: dict[str, list[Any]] = {s.name: list(s.constraints) for s in SETTINGS}

#: The parameters of a search (the estimator's ``get_params()``): a frozen dataclass.
Settings = declare.settings_class(SETTINGS, __name__)
