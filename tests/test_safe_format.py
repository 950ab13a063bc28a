from __future__ import annotations

import numpy as np
import pytest
import skops.io
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from automodel import safe_format
from automodel.safe_format import UntrustedTypesError, dumps, loads, untrusted_types


@pytest.mark.parametrize(
    "name",
    [
        "sklearn.ensemble._forest.RandomForestClassifier",
        "xgboost.sklearn.XGBClassifier",
        "lightgbm.sklearn.LGBMRegressor",
        "automodel.calibration.DecisionCalibrated",
        "automodel.estimator.AutoModelClassifier",
        "sklearn.metrics._dist_metrics.ManhattanDistance64",
        "xgboost.core.Booster",
    ],
)
def test_estimators_and_their_fitted_parts_are_trusted(name):
    assert safe_format._trusted(name)


@pytest.mark.parametrize(
    "name",
    [
        "builtins.eval",
        "os.system",
        "subprocess.Popen",
        "numpy.memmap",  # writes a file when built
        "numpy.testing._private.utils.runstring",  # runs a string
        "automodel.persistence.save",  # a function of a trusted package
        "automodel.table.CsvFormat",  # a class that is no estimator
        "sklearn.no_such_module.Thing",
        "__main__.Net",
    ],
)
def test_anything_else_is_not(name):
    assert not safe_format._trusted(name)


def test_a_pipeline_round_trips_and_a_foreign_type_is_refused_by_name():
    X = np.random.default_rng(0).normal(size=(60, 3))
    y = (X[:, 0] > 0).astype(int)
    model = make_pipeline(StandardScaler(), RandomForestClassifier(5, random_state=0)).fit(X, y)
    data = dumps(model)
    assert data is not None and untrusted_types(data) == []
    np.testing.assert_array_equal(loads(data).predict(X), model.predict(X))
    foreign = skops.io.dumps({"model": model, "extra": np.float64(1.0), "f": Foreign()})
    with pytest.raises(UntrustedTypesError) as raised:
        loads(foreign)
    assert raised.value.types == [f"{__name__}.Foreign"]
    assert isinstance(loads(foreign, trust_all=True)["f"], Foreign)
    assert dumps({"f": Foreign()}) is None  # saved as a pickle instead


class Foreign:
    pass
