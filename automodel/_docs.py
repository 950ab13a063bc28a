"""The parameters and attributes section shared by both estimators' docstrings."""

PARAMETERS_DOC = """
    Parameters
    ----------
    max_evals : int or None, default=50
        Number of trials (candidate pipelines scored by cross-validation). None
        searches until ``timeout`` (which is then required), keeping the refit reserve.
    cv : int, default=5
        Number of shuffled folds used to score each trial (stratified for classes).
    algo : {"tpe", "rand", "anneal"} or callable, default="tpe"
        hyperopt's suggestion algorithm, or a suggestion function such as
        ``automodel.search.TPE(n_startup_trials=10, gamma=0.25)``.
    scoring : str, callable or None, default=None
        A scikit-learn scorer name or a scorer callable ``scorer(estimator, X, y)``;
        the search minimises minus its mean over the folds. None: "accuracy" for
        classification, "r2" for regression. A scorer name of the other task is
        refused.
    families : None, str or list of (str or Family), default=None
        Families to search: None or "default" (the compact default set), "all",
        "classic" (KNN, SVM, decision tree, random forest), names, or
        :class:`automodel.Family` records that serve the task.
    random_state : int, RandomState instance or None, default=None
        Seeds the suggestions, the CV split and every estimator: the same seed
        and ``max_evals`` give the same ``cv_results_`` and ``best_params_``.
    n_jobs : int or None, default=None
        Total number of cores automodel may use (-1: all). Each estimator itself
        stays single-threaded so trials do not fight over cores.
    timeout : float or None, default=None
        Seconds for the whole ``fit``, final refit included.
    trial_timeout : float or None, default=300
        Seconds one trial may take. Trials run in worker processes that are
        stopped for real when they overrun; the trial is recorded as failed
        ("timeout") and the search goes on. None runs trials in this process,
        without a limit (least overhead).
    early_stop_rounds : int or None, default=None
        Stop after this many trials without improving the best score.
    defaults_first : bool, default=True
        Evaluate each family's well-known default first, before the algorithm
        suggests, so that a small budget already returns a strong model.
    holdout_above : int or None, default=20000
        Tables with more rows than this score each trial on one 80/20 holdout
        split (stratified for classes) instead of ``cv`` folds.
    ensemble : "auto", True, int, None or False, default="auto"
        Greedy ensemble selection (Caruana et al. 2004) over the best trials'
        out-of-fold predictions under ``scoring``: integer weights over distinct
        pipelines, refit on all rows as one weighted soft ``VotingClassifier`` or
        ``VotingRegressor``. "auto" builds one where it paid in the benchmarks: for
        regression up to ``holdout_above`` rows, for classification from 1,000 rows
        up to ``holdout_above`` (smaller tables are bagged instead, see
        ``bagging``); True builds one for either task and any size. An int caps
        the distinct members; None or False keeps the single best pipeline. The
        single best is also kept when it cannot take part (an ``SVC``, without
        class probabilities, or a family trained on a row cap), when no mix beats
        it, or when the members' refit does not fit in ``timeout``.
    bagging : "auto" or bool, default="auto"
        When the single best pipeline predicts: instead of one refit on all rows,
        its ``cv`` fold models (each fitted on its fold's training rows, as in its
        trial) average their predictions, as one ``VotingClassifier`` (soft; hard
        votes without ``predict_proba``) or ``VotingRegressor`` of frozen pipelines.
        Predicting costs ``cv`` times more. "auto" bags classification searches on
        fewer than 1,000 rows (where it paid in the benchmarks); True bags any
        search with folds (not the holdout split); False never bags. When the fold
        fits do not fit in ``timeout`` or one fails, the refit is kept and
        ``bagging_note_`` says why (a warning too with True).
    checkpoint : str, path or None, default=None
        File where the trials are saved after every trial; fitting again with
        the same file, data and settings continues the search.
    backend : {"local", "spark"}, default="local"
        "spark" runs trials through hyperopt's ``SparkTrials`` (``automodel[spark]``).
    parallelism : int or None, default=None
        Trials run at once on Spark (None: Spark's default parallelism).
    mlflow_logging : bool or None, default=None
        MLflow tracking (``automodel[mlflow]``): None logs when an MLflow run is
        active, True starts a run if none is, False never logs. The run gets the
        parameters, each trial as a nested run, the leaderboard and the model.
    verbose : int, default=0
        0: silent; 1: a progress bar.

    Attributes
    ----------
    best_estimator_ : sklearn.pipeline.Pipeline or voting ensemble
        What predicts: the ensemble when one was kept, else the single best
        pipeline, bagged (``bagged_``) or refit on all rows. A bagged model's
        fitted members are ``FrozenEstimator`` s; its parameters are the unfitted
        pipeline, so fitting it (or a clone) again fits k identical pipelines.
    best_single_estimator_ : sklearn.pipeline.Pipeline
        The single best pipeline, refit on all rows (with ``ensemble``, or when
        bagged).
    bagged_ : bool
        ``best_estimator_`` is the single best's fold models, bagged (its
        out-of-fold score is ``best_score_``: the same fold models).
    bagging_note_ : str
        Why bagging was planned and not done ("" otherwise).
    best_params_ : dict
        ``family``, ``scaler`` and the family's decoded hyperparameters.
    best_score_ : float
        Mean CV score of the winner under ``scoring_``.
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
