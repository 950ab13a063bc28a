"""Your own Keras 3 net in automodel's search, through scikeras (torch backend).

Run: python examples/keras_net.py   (needs: pip install "automodel[torch]" scikeras keras)
"""

from __future__ import annotations

# [readme]
import os

os.environ.setdefault("KERAS_BACKEND", "torch")  # before keras is imported

import keras
from hyperopt import hp
from scikeras.wrappers import KerasClassifier

import automodel


def build_net(meta, layers=1, units=32, learning_rate=1e-3, seed=None):
    """scikeras calls this at fit; meta holds the fitted data's shape."""
    if seed is not None:
        keras.utils.set_random_seed(seed)  # weights and batch order follow the trial's seed
    model = keras.Sequential([keras.Input((meta["n_features_in_"],))])
    for _ in range(layers):
        model.add(keras.layers.Dense(units, activation="relu"))
    model.add(keras.layers.Dense(meta["n_classes_"], activation="softmax"))
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
    )
    return model


keras_net = automodel.Family(
    "keras",
    KerasClassifier,
    lambda info: {
        "model__layers": hp.choice("keras.layers", [1, 2, 3]),
        "model__units": hp.choice("keras.units", [16, 32, 64]),
        "model__learning_rate": hp.loguniform("keras.learning_rate", -9, -2),
        "batch_size": hp.choice("keras.batch_size", [16, 32, 64]),
    },
    scale=True,
    fixed={"model": build_net, "epochs": 20, "verbose": 0},
    seed="model__seed",  # the trial's seed reaches build_net
)
# [/readme]


def main() -> None:
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    X, y = load_breast_cancer(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)
    model = automodel.AutoModelClassifier(
        families=["logreg", keras_net], max_evals=4, cv=3, random_state=0
    ).fit(X_train, y_train)
    print(model.leaderboard().to_string(max_colwidth=80))
    print(f"test accuracy {model.score(X_test, y_test):.3f}")
    automodel.save(model, "keras_net.automodel")
    # A model holding an own net is a pickle: load it only from a source you trust.
    loaded = automodel.load("keras_net.automodel", trusted=True)
    assert (loaded.predict(X_test) == model.predict(X_test)).all()


if __name__ == "__main__":
    main()
