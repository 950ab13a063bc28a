"""The estimators' shared docstring section: Parameters (from the settings) and Attributes."""

from __future__ import annotations

import textwrap
from typing import Any

from automodel.declare import Setting
from automodel.settings import SETTINGS

__all__ = ["ESTIMATOR_DOC", "parameters_doc", "show_default"]

_ATTRIBUTES_DOC = """
    Attributes
    ----------
    best_estimator_ : sklearn.pipeline.Pipeline or voting ensemble
        What predicts: the ensemble when one was kept, else the single best
        pipeline, bagged (``bagged_``) or refit on all rows. A bagged model's
        fitted members are ``FrozenEstimator`` s; its parameters are the unfitted
        pipeline, so fitting it (or a clone) again fits k identical pipelines.
        A classifier with only decision values (an SVC) comes wrapped in an
        ``automodel.calibration.DecisionCalibrated``, which adds ``predict_proba``;
        one whose out-of-fold probabilities a temperature improves (held-out log
        loss) in an ``automodel.temperature.TemperatureScaled``. Both predict as
        the model they wrap.
    best_single_estimator_ : sklearn.pipeline.Pipeline
        The single best pipeline, refit on all rows (with ``ensemble``, or when
        bagged).
    bagged_ : bool
        ``best_estimator_`` is the single best's fold models, bagged (its
        out-of-fold score is ``best_score_``: the same fold models).
    bagging_note_ : str
        Why bagging was planned and not done ("" otherwise).
    proba_note_ : str
        Why a classifier has no ``predict_proba`` ("" when it has; regression: "").
    best_params_ : dict
        ``family``, ``scaler`` and the family's decoded hyperparameters.
    best_score_ : float
        Mean CV score of the winner under ``scoring_``. Optimistic: the best of many
        scores on the same folds.
    expected_score_ : float
        The returned model's expected score on new rows: its out-of-fold score with
        the selection's luck removed by bootstrap (BBC-CV, ``automodel.expected``),
        plus, for a regressor, what its refit on all rows gains over the fold models
        (a learning-curve term, ``automodel.learning_curve``; none for bagged fold
        models);
        NaN when the fit kept no out-of-fold predictions. ``expected_score_parts_``
        holds its figures: the returned model's out-of-fold score, the apparent
        score of the choice on the sampled rows and the bootstrap's mean left-out
        score (the correction is their difference), rounds and rows, and the refit's
        learning-curve gain with the half-rows score it comes from
        (``automodel.learning_curve``; NaN for classifiers and bagged fold models).
    conformal_ : RegressionConformal or ClassConformal
        What ``predict_interval`` / ``predict_set`` are calibrated on: sorted
        out-of-fold scores of the returned model (at most 10,000), and for
        normalised intervals the difficulty model (``automodel.conformal``).
    interval_method_ : str
        Regression: how ``predict_interval`` builds intervals, "split", "normalised"
        (locally adaptive) or "cv+" (a bagged model's fold models).
    best_index_ : int
        Row of the winner in ``cv_results_``.
    cv_results_ : dict of arrays
        One row per trial (scikit-learn's layout plus ``family``,
        ``preprocessing``, ``status``, ``error`` and ``duration``).
    trials_ : hyperopt.Trials
        The raw trials of the search (not saved with the model).
    task_ : str
        "classification" or "regression"; ``task_reason_`` says why.
    scoring_ : str or callable
        The scorer the search used.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when fitted on a DataFrame whose column names are all strings.
    stop_reason_ : str
        Why the search ended: "max_evals", "timeout", "early_stop", "interrupted".
    search_time_, refit_time_ : float
        Seconds spent in the search and in the final refit (ensemble included).
    ensemble_members_, ensemble_weights_ : list of int
        With ``ensemble``: the trial rows in ``best_estimator_`` and their weights
        (``[best_index_]`` and ``[1]`` when the single best was kept).
    ensemble_score_ : float
        The kept ensemble's out-of-fold score (NaN without one). Optimistic: the
        weights were chosen on those same predictions; ``best_score_`` stays the
        single best's mean CV score.
    ensemble_note_ : str
        Why the single best was kept ("" when the ensemble was).
    ensemble_time_ : float
        Seconds of the ensemble step (selection and refit), part of ``refit_time_``.
"""


def show_default(value: Any) -> str:
    """A default as the docs write it: ``"auto"``, ``None``, ``50``."""
    return f'"{value}"' if isinstance(value, str) else repr(value)


def _parameter(setting: Setting) -> str:
    head = f"    {setting.name} : {setting.type_doc}, default={show_default(setting.default)}"
    text = textwrap.fill(
        setting.doc,
        width=88,
        initial_indent=" " * 8,
        subsequent_indent=" " * 8,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return f"{head}\n{text}\n"


def parameters_doc(settings: tuple[Setting, ...] = SETTINGS) -> str:
    """The numpydoc Parameters section of ``settings``."""
    return "\n    Parameters\n    ----------\n" + "".join(_parameter(s) for s in settings)


#: Appended to each estimator's class docstring.
ESTIMATOR_DOC = parameters_doc() + _ATTRIBUTES_DOC
