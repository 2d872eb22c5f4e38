#!/usr/bin/env python3
"""Times numpy.einsum_path on the path-search benchmark networks and compares with einsum4j's JMH results.

The networks come from org.einsum4j.bench.RandomNetworks (seeded; written by its main to networks.tsv), so both
sides search identical networks. numpy's 'optimal' is factorial: each call runs in a child process with a
timeout and is reported as "> T s" when it does not finish.

Usage (from the repository root; bench/compare/path_bench.sh does all of it):
  java -cp bench/target/benchmarks.jar org.einsum4j.bench.RandomNetworks bench/compare/networks.tsv
  java -jar bench/target/benchmarks.jar PathSearchBenchmark -f 1 -wi 3 -i 5 -rf json -rff jmh_path.json
  python3 bench/compare/numpy_path.py bench/compare/networks.tsv jmh_path.json [more JMH json files...]
"""
import json
import multiprocessing as mp
import sys
import time

import numpy as np

TIMEOUT_S = 60.0


def load_networks(path):
    nets = []
    with open(path) as f:
        next(f)
        for line in f:
            name, n, spec, shapes = line.rstrip("\n").split("\t")
            shp = [tuple(int(d) for d in s.split("x")) if s else () for s in shapes.split(";")]
            nets.append((name, int(n), None if spec == "-" else spec, shp))
    return nets


def _time_one(spec, shapes, optimize, q):
    ops = [np.empty(s) for s in shapes]
    np.einsum_path(spec, *ops, optimize=optimize)  # warm-up
    best = float("inf")
    t_end = time.perf_counter() + 2.0
    runs = 0
    info = None
    while runs < 3 or (time.perf_counter() < t_end and runs < 200):
        t0 = time.perf_counter()
        _, info = np.einsum_path(spec, *ops, optimize=optimize)
        best = min(best, time.perf_counter() - t0)
        runs += 1
    cost = None
    for line in info.splitlines():
        if "Optimized FLOP count" in line:
            cost = float(line.split(":")[1])
    q.put((best, cost))


def time_numpy(spec, shapes, optimize, timeout=TIMEOUT_S):
    q = mp.Queue()
    p = mp.Process(target=_time_one, args=(spec, shapes, optimize, q))
    p.start()
    p.join(timeout)
    if p.is_alive():
        p.terminate()
        p.join()
        return None, None
    if q.empty():
        return None, None
    return q.get()


def load_jmh(path):
    res = {}
    if path is None:
        return res
    with open(path) as f:
        for r in json.load(f):
            p = r["params"]
            unit = r["primaryMetric"]["scoreUnit"]
            score = r["primaryMetric"]["score"]
            scale = {"us/op": 1e-6, "ms/op": 1e-3, "ns/op": 1e-9, "s/op": 1.0}[unit]
            res[(int(p["n"]), p["optimizer"])] = score * scale
    return res


def fmt(t):
    if t is None:
        return "-"
    if t >= 1:
        return f"{t:.2f} s"
    if t >= 1e-3:
        return f"{t * 1e3:.2f} ms"
    return f"{t * 1e6:.1f} µs"


def main():
    nets = load_networks(sys.argv[1] if len(sys.argv) > 1 else "bench/compare/networks.tsv")
    jmh = {}
    for f in sys.argv[2:]:
        jmh.update(load_jmh(f))
    print(f"numpy {np.__version__}")
    print("| n | numpy optimal | einsum4j optimal | ratio | numpy greedy | einsum4j greedy | ratio | "
          "einsum4j dp | einsum4j auto | einsum4j auto-hq | einsum4j random-greedy |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, n, spec, shapes in nets:
        row = [str(n)]
        for opt in ("optimal", "greedy"):
            if spec is None:
                npt, label = None, "- (> 52 labels)"
            elif opt == "optimal" and n > 10:
                npt, label = None, "not run"
            else:
                npt, _ = time_numpy(spec, shapes, (opt, 1e30))
                label = fmt(npt) if npt is not None else f"> {TIMEOUT_S:.0f} s"
            j = jmh.get((n, opt))
            ratio = "-"
            if j is not None:
                if npt is not None:
                    ratio = f"{npt / j:.0f}×"
                elif label.startswith(">"):
                    ratio = f"> {TIMEOUT_S / j:.0f}×"
            row += [label, fmt(j), ratio]
        for opt in ("dp", "auto", "auto-hq", "random-greedy"):
            row.append(fmt(jmh.get((n, opt))))
        print("| " + " | ".join(row) + " |")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
