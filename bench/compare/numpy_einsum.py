#!/usr/bin/env python3
"""Times numpy.einsum(spec, *ops, optimize='optimal') on the einsum suite's CPU shapes and prints a table.

The peer figures for einsum4j's ContractBenchmark on the same machine (run both in one session: figures are
ratios measured side by side). Each call includes numpy's path search, as a user's call does; --path-separately
also times numpy.einsum_path alone and the contraction with a precomputed path.

Usage: python3 bench/compare/numpy_einsum.py [--rows E02,E04] [--dtype f32|f64] [--repeat 20] [--json]
Needs numpy (2.x here).
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


def median_seconds(fn, repeat, warmup):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--suite", default=SUITE, help="suite TSV (default: the copy in bench/src/main/resources)")
    p.add_argument("--rows", default="", help="comma-separated row ids (default: all)")
    p.add_argument("--dtype", default="f32", choices=["f32", "f64"])
    p.add_argument("--repeat", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--path-separately", action="store_true",
                   help="also time einsum_path alone and einsum with the precomputed path")
    p.add_argument("--json", action="store_true", help="one JSON object per row instead of the table")
    args = p.parse_args()

    dtype = np.float32 if args.dtype == "f32" else np.float64
    wanted = set(args.rows.split(",")) if args.rows else None
    rows = [r for r in load_suite(args.suite) if wanted is None or r["id"] in wanted]
    if wanted and len(rows) != len(wanted):
        sys.exit("numpy_einsum.py: unknown row(s): " + ", ".join(sorted(wanted - {r['id'] for r in rows})))

    if not args.json:
        print(f"numpy {np.__version__}, {args.dtype}, median of {args.repeat} calls after {args.warmup} warm-up")
        head = f"{'id':4} {'spec':26} {'shapes':34} {'einsum ms':>10}"
        if args.path_separately:
            head += f" {'path ms':>9} {'w/ path ms':>10}"
        print(head)
    for r in rows:
        rng = np.random.default_rng(0)
        ops = [(rng.random(s) * 2 - 1).astype(dtype) for s in r["shapes"]]
        t = median_seconds(lambda: np.einsum(r["spec"], *ops, optimize="optimal"), args.repeat, args.warmup)
        out = {"id": r["id"], "spec": r["spec"], "shapes": ["x".join(map(str, s)) or "scalar" for s in r["shapes"]],
               "dtype": args.dtype, "einsum_ms": t * 1e3}
        if args.path_separately:
            path, _ = np.einsum_path(r["spec"], *ops, optimize="optimal")
            out["path_ms"] = median_seconds(lambda: np.einsum_path(r["spec"], *ops, optimize="optimal"),
                                            args.repeat, args.warmup) * 1e3
            out["with_path_ms"] = median_seconds(lambda: np.einsum(r["spec"], *ops, optimize=path),
                                                 args.repeat, args.warmup) * 1e3
        if args.json:
            print(json.dumps(out))
        else:
            line = f"{r['id']:4} {r['spec']:26} {';'.join(out['shapes']):34} {out['einsum_ms']:10.3f}"
            if args.path_separately:
                line += f" {out['path_ms']:9.3f} {out['with_path_ms']:10.3f}"
            print(line, flush=True)


if __name__ == "__main__":
    main()
