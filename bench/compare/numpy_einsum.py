#!/usr/bin/env python3
"""Times the three forms a numpy / opt_einsum user has on the einsum suite's CPU shapes and prints a table.

The peer figures for einsum4j's ContractBenchmark on the same machine (run both in one session: figures are
ratios measured side by side). Per row: numpy.einsum(optimize='optimal') (path search on every call, as a plain
call does), numpy.einsum with its path computed once by numpy.einsum_path (optimize=path), and opt_einsum's
contract_expression compiled once (optimize='optimal'); "best" is the fastest of the three. Each form is timed
as timeit's autorange does: calls are batched until a batch takes >= 0.2 s, warmed up for >= --warmup-s seconds,
then the median per call over --repeat batches.

Usage: PYTHONPATH=$(bench/compare/find_opt_einsum.sh) python3 bench/compare/numpy_einsum.py [--rows E02,E04]
       [--dtype f32|f64] [--repeat 5] [--json]
Benchmark with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (env -u ...), as for einsum4j.
Needs numpy (2.x here); opt_einsum optional (its column is empty without it).
"""
import argparse
import json
import os
import statistics
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SUITE = os.path.join(HERE, "..", "src", "main", "resources", "org", "einsum4j", "bench", "einsum_suite.tsv")


def load_suite(path):
    rows = []
    with open(path) as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.rstrip("\n").split("\t")
            shapes = [tuple(int(d) for d in s.split("x")) if s not in ("", "scalar", "()") else ()
                      for s in fields[2].split(";")]
            rows.append({"id": fields[0], "spec": fields[1], "shapes": shapes,
                         "what": fields[4] if len(fields) > 4 else ""})
    return rows


try:
    import opt_einsum as oe
except ImportError:
    oe = None


def median_seconds(fn, repeat, warmup_s, batch_s=0.2):
    """timeit-style: the batch size grows until a batch takes >= batch_s; warm up >= warmup_s; median per call."""
    number = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        if time.perf_counter() - t0 >= batch_s or number >= 1 << 20:
            break
        number *= 2
    end = time.perf_counter() + warmup_s
    while time.perf_counter() < end:
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--suite", default=SUITE, help="suite TSV (default: the copy in bench/src/main/resources)")
    p.add_argument("--rows", default="", help="comma-separated row ids (default: all)")
    p.add_argument("--dtype", default="f32", choices=["f32", "f64"])
    p.add_argument("--repeat", type=int, default=5, help="timed batches (each >= 0.2 s) per form")
    p.add_argument("--warmup-s", type=float, default=0.5, help="warm-up seconds per form")
    p.add_argument("--json", action="store_true", help="one JSON object per row instead of the table")
    args = p.parse_args()

    dtype = np.float32 if args.dtype == "f32" else np.float64
    wanted = set(args.rows.split(",")) if args.rows else None
    rows = [r for r in load_suite(args.suite) if wanted is None or r["id"] in wanted]
    if wanted and len(rows) != len(wanted):
        sys.exit("numpy_einsum.py: unknown row(s): " + ", ".join(sorted(wanted - {r['id'] for r in rows})))

    if not args.json:
        print(f"numpy {np.__version__}, opt_einsum {oe.__version__ if oe else 'not importable'}, {args.dtype}, "
              f"median of {args.repeat} autoranged batches after {args.warmup_s} s warm-up, ms per call")
        print(f"{'id':4} {'spec':26} {'optimal':>9} {'w/ path':>9} {'opt_einsum':>10} {'best':>9}")
    for r in rows:
        rng = np.random.default_rng(0)
        ops = [(rng.random(s) * 2 - 1).astype(dtype) for s in r["shapes"]]
        spec = r["spec"]
        path, _ = np.einsum_path(spec, *ops, optimize="optimal")
        times = {
            "optimal_ms": median_seconds(lambda: np.einsum(spec, *ops, optimize="optimal"), args.repeat, args.warmup_s),
            "with_path_ms": median_seconds(lambda: np.einsum(spec, *ops, optimize=path), args.repeat, args.warmup_s),
        }
        if oe is not None:
            expr = oe.contract_expression(spec, *[o.shape for o in ops], optimize="optimal")
            times["opt_einsum_ms"] = median_seconds(lambda: expr(*ops), args.repeat, args.warmup_s)
        times = {k: v * 1e3 for k, v in times.items()}
        out = {"id": r["id"], "spec": spec, "shapes": ["x".join(map(str, s)) or "scalar" for s in r["shapes"]],
               "dtype": args.dtype, **times, "best_ms": min(times.values())}
        if args.json:
            print(json.dumps(out), flush=True)
        else:
            oe_ms = f"{out['opt_einsum_ms']:10.4f}" if "opt_einsum_ms" in out else f"{'-':>10}"
            print(f"{r['id']:4} {spec:26} {out['optimal_ms']:9.4f} {out['with_path_ms']:9.4f} {oe_ms} "
                  f"{out['best_ms']:9.4f}", flush=True)


if __name__ == "__main__":
    main()
