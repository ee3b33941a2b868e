#!/usr/bin/python3
"""Peer for benchmarks/ann: hnswlib's own Python binding on the same data, same protocol.

Loads the vectors ann.bench.ts wrote (raw little-endian float32 rows; exact neighbours as int32
rows), then answers one JSON command per stdin line with one JSON line on stdout, so the
benchmark can interleave its own measurements with these ones under the same machine load:

  {"cmd": "build", "M": 16, "efConstruction": 200, "threads": 1}
      -> {"buildS", "threads", "memoryBytesPerVector"}
  {"cmd": "sweep", "efs": [10, 20], "warmup": 100}
      -> {"points": [{"ef", "recallAt10", "qps", "p50Ms", "p99Ms"}]}
  {"cmd": "quit"}

A sweep runs every query one at a time (knn_query on a one-row array, as ann-benchmarks'
hnswlib wrapper does, with one query thread), timing each call with perf_counter; recall@10 is
the share of the true 10 nearest returned. Run with Debian's /usr/bin/python3
(python3-hnswlib, python3-numpy): a measurement peer, never a dependency.
"""
import argparse
import json
import os
import sys
import time

import hnswlib
import numpy as np

K = 10


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True, help="folder with train.f32, test.f32, truth.i32")
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--queries", type=int, required=True)
    parser.add_argument("--dim", type=int, required=True)
    parser.add_argument("--truth-k", type=int, required=True)
    args = parser.parse_args()

    train = np.fromfile(f"{args.data}/train.f32", dtype=np.float32).reshape(args.n, args.dim)
    test = np.fromfile(f"{args.data}/test.f32", dtype=np.float32).reshape(args.queries, args.dim)
    truth = np.fromfile(f"{args.data}/truth.i32", dtype=np.int32).reshape(args.queries, args.truth_k)
    truth_sets = [set(row[:K].tolist()) for row in truth]
    rows = [test[i : i + 1] for i in range(args.queries)]
    index = None

    for line in sys.stdin:
        command = json.loads(line)
        if command["cmd"] == "quit":
            break
        if command["cmd"] == "build":
            index = None
            rss_before = rss_bytes()
            index = hnswlib.Index(space="l2", dim=args.dim)
            index.init_index(
                max_elements=args.n,
                ef_construction=command["efConstruction"],
                M=command["M"],
                random_seed=100,
            )
            threads = command["threads"]
            index.set_num_threads(threads)
            start = time.perf_counter()
            index.add_items(train, np.arange(args.n), num_threads=threads)
            build_s = time.perf_counter() - start
            memory = max(0, rss_bytes() - rss_before) / args.n
            index.set_num_threads(1)
            reply = {"buildS": build_s, "threads": threads, "memoryBytesPerVector": memory}
        elif command["cmd"] == "sweep":
            reply = {"points": [sweep(index, rows, truth_sets, ef, command["warmup"]) for ef in command["efs"]]}
        else:
            reply = {"error": f"unknown command {command['cmd']}"}
        print(json.dumps(reply), flush=True)


def sweep(index, rows, truth_sets, ef, warmup):
    index.set_ef(ef)
    for i in range(min(warmup, len(rows))):
        index.knn_query(rows[i], k=K)
    times = np.empty(len(rows))
    found = [None] * len(rows)
    clock = time.perf_counter
    run_start = clock()
    for i in range(len(rows)):
        t0 = clock()
        labels, _ = index.knn_query(rows[i], k=K)
        times[i] = clock() - t0
        found[i] = labels[0]
    total = clock() - run_start
    recall = np.mean([len(truth_sets[i].intersection(found[i].tolist())) / K for i in range(len(rows))])
    return {
        "ef": ef,
        "recallAt10": float(recall),
        "qps": len(rows) / total,
        "p50Ms": float(np.percentile(times, 50) * 1000),
        "p99Ms": float(np.percentile(times, 99) * 1000),
    }


if __name__ == "__main__":
    main()
