"""scikit-learn peer of benchmarks/classify/gbdt.bench.ts.

Reads the arrays the TypeScript benchmark wrote (raw little-endian binaries, shapes in
meta.json), fits HistGradientBoostingClassifier with the same hyperparameters, and writes the
held-out probabilities to <dir>/sklearn-proba-<label>.f64 and one JSON line with the fit
times (wall clock and process CPU) on stdout. Threads are fixed by OMP_NUM_THREADS, set by the caller.

Usage: OMP_NUM_THREADS=1 /usr/bin/python3 gbdt_sklearn.py <dir> <label>
"""

import json
import os
import sys
import time

import numpy as np
import sklearn
from sklearn.ensemble import HistGradientBoostingClassifier


def main() -> None:
    folder, label = sys.argv[1], sys.argv[2]
    with open(os.path.join(folder, "meta.json")) as handle:
        meta = json.load(handle)
    cols = meta["cols"]
    x_train = np.fromfile(os.path.join(folder, "x-train.f64"), dtype="<f8").reshape(-1, cols)
    y_train = np.fromfile(os.path.join(folder, "y-train.u8"), dtype="u1")
    x_test = np.fromfile(os.path.join(folder, "x-test.f64"), dtype="<f8").reshape(-1, cols)
    params = meta["params"]
    fit_seconds = []
    fit_cpu_seconds = []
    proba = None
    for _ in range(meta["runs"]):
        model = HistGradientBoostingClassifier(
            loss="log_loss",
            max_iter=params["maxIter"],
            learning_rate=params["learningRate"],
            max_leaf_nodes=params["maxLeafNodes"],
            min_samples_leaf=params["minSamplesLeaf"],
            l2_regularization=params["l2Regularization"],
            max_bins=params["maxBins"],
            early_stopping=False,
            class_weight=None if params["classWeight"] == "none" else params["classWeight"],
            random_state=meta.get("seed", 0),
        )
        started = time.perf_counter()
        cpu_started = time.process_time()
        model.fit(x_train, y_train)
        fit_seconds.append(time.perf_counter() - started)
        fit_cpu_seconds.append(time.process_time() - cpu_started)
        started = time.perf_counter()
        proba = model.predict_proba(x_test)[:, 1]
        predict_seconds = time.perf_counter() - started
    proba.astype("<f8").tofile(os.path.join(folder, f"sklearn-proba-{label}.f64"))
    print(
        json.dumps(
            {
                "sklearn": sklearn.__version__,
                "threads": os.environ.get("OMP_NUM_THREADS"),
                "fitSeconds": fit_seconds,
                "fitCpuSeconds": fit_cpu_seconds,
                "predictSeconds": predict_seconds,
                "trees": int(model.n_iter_),
            }
        )
    )


if __name__ == "__main__":
    main()
