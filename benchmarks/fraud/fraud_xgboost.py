"""XGBoost peer of benchmarks/fraud/tuning.bench.ts: the same search budget on the same rows.

Reads, from the folder given as argv[1]: X.f32 (rows × cols, row-major), y.u8, fold<k>_train.i32
and fold<k>_test.i32 (the prequential validation folds TypeScript tuned on), final_train.i32 and
final_test.i32 (the protocol's training window and test week), and job.json:
  { "cols": 15, "folds": 3, "candidates": [{xgboost params}, ...], "threads": 2,
    "treeMethod": "hist" | "exact" }
Every candidate is fitted on every fold and scored by average precision (scikit-learn's, the
same step-wise sum as ours); the best mean is refitted on the training window and scores the
test week. Writes test_scores.f64 and peer.json (per-candidate fold APs, fit seconds, timings).
Measurement only; never a dependency of mlsd.
"""
import json
import sys
import time

import numpy as np
import sklearn
import xgboost
from sklearn.metrics import average_precision_score

folder = sys.argv[1]
job = json.load(open(f"{folder}/job.json"))
cols = job["cols"]
X = np.fromfile(f"{folder}/X.f32", dtype=np.float32).reshape(-1, cols)
y = np.fromfile(f"{folder}/y.u8", dtype=np.uint8)
rows = lambda name: np.fromfile(f"{folder}/{name}.i32", dtype=np.int32)
folds = [(rows(f"fold{k}_train"), rows(f"fold{k}_test")) for k in range(job["folds"])]


def model(params):
    method = job.get("treeMethod", "hist")
    binning = {"max_bin": 256} if method == "hist" else {}
    return xgboost.XGBClassifier(
        tree_method=method, **binning, n_jobs=job["threads"], random_state=0,
        objective="binary:logistic", eval_metric="logloss", **params,
    )


started = time.perf_counter()
results = []
for params in job["candidates"]:
    aps, seconds = [], []
    for train, test in folds:
        m = model(params)
        t = time.perf_counter()
        m.fit(X[train], y[train])
        seconds.append(time.perf_counter() - t)
        aps.append(float(average_precision_score(y[test], m.predict_proba(X[test])[:, 1])))
    results.append({"params": params, "ap": aps, "mean": float(np.mean(aps)),
                    "std": float(np.std(aps, ddof=1)) if len(aps) > 1 else 0.0,
                    "fitSeconds": float(np.mean(seconds))})
search_seconds = time.perf_counter() - started
best = max(results, key=lambda r: r["mean"])
final = model(best["params"])
train, test = rows("final_train"), rows("final_test")
t = time.perf_counter()
final.fit(X[train], y[train])
refit_seconds = time.perf_counter() - t
final.predict_proba(X[test])[:, 1].astype(np.float64).tofile(f"{folder}/test_scores.f64")
json.dump({"xgboost": xgboost.__version__, "sklearn": sklearn.__version__,
           "searchSeconds": search_seconds, "refitSeconds": refit_seconds,
           "best": best, "candidates": results}, open(f"{folder}/peer.json", "w"))
