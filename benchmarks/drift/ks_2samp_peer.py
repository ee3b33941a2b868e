"""Times scipy.stats.ks_2samp on samples written by ks.bench.ts (raw little-endian float64).

Usage: /usr/bin/python3 ks_2samp_peer.py <cases.json>
cases.json: [{"a": path, "b": path, "alternative": ..., "method": ..., "repeats": k}, ...]
Prints one JSON line: per case the median / all wall times (s) and scipy's result.
"""
import json
import sys
import time

import numpy as np
import scipy
from scipy import stats

cases = json.load(open(sys.argv[1]))
out = []
for case in cases:
    a = np.fromfile(case["a"], dtype="<f8")
    b = np.fromfile(case["b"], dtype="<f8")
    times = []
    for _ in range(case["repeats"]):
        start = time.perf_counter()
        r = stats.ks_2samp(a, b, alternative=case["alternative"], method=case["method"])
        times.append(time.perf_counter() - start)
    out.append({
        "seconds": sorted(times)[len(times) // 2],
        "runs": times,
        "statistic": float(r.statistic),
        "pvalue": float(r.pvalue),
    })
print(json.dumps({"scipy": scipy.__version__, "numpy": np.__version__, "cases": out}))
