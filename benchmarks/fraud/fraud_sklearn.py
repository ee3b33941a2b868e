"""scikit-learn peers for benchmarks/fraud: LogisticRegression (on standardised features) and
HistGradientBoostingClassifier, each with class_weight None and 'balanced', trained on the same
feature rows the TypeScript models use. Reads raw float32/uint8 files, writes test scores as
float64 files and timings as JSON. Measurement only; never a dependency of mlsd."""
import json
import sys
import time

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

folder = sys.argv[1]
meta = json.load(open(f"{folder}/meta.json"))
cols = meta["cols"]
X_train = np.fromfile(f"{folder}/train_X.f32", dtype=np.float32).reshape(-1, cols)
y_train = np.fromfile(f"{folder}/train_y.u8", dtype=np.uint8)
X_test = np.fromfile(f"{folder}/test_X.f32", dtype=np.float32).reshape(-1, cols)

timings = {}
for weight in [None, "balanced"]:
    name = "none" if weight is None else "balanced"
    models = {
        f"sklearn-logreg-{name}": make_pipeline(
            StandardScaler(), LogisticRegression(class_weight=weight, max_iter=1000)
        ),
        f"sklearn-hgb-{name}": HistGradientBoostingClassifier(
            class_weight=weight, max_iter=200, learning_rate=0.1, max_leaf_nodes=31,
            early_stopping=True, random_state=0,
        ),
    }
    for key, model in models.items():
        started = time.perf_counter()
        model.fit(X_train, y_train)
        timings[key] = time.perf_counter() - started
        model.predict_proba(X_test)[:, 1].astype(np.float64).tofile(f"{folder}/{key}.f64")

json.dump({"fitSeconds": timings, "sklearn": __import__("sklearn").__version__}, open(f"{folder}/peer.json", "w"))
