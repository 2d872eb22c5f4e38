#!/usr/bin/env python3
"""The einsum suite on the CPU in one session: peers, einsum4j's JMH (this build and, optionally, another jar),
the command line, and the copy-bandwidth reference; prints markdown (bench/results/einsum_suite_cpu.md).

Measured row by row (peers, JMH after, JMH before, copy, CLI for one row, then the next). What bench/run's einsum
suite does not show beside the peers: the command line's `contract --json` timing (warm-up
>= 2 s, samples of one call), a before/after column (--before-jar: ContractBenchmark of another build, same
session) and the memory-bound rows against a copy of as many bytes (CopyBenchmark). Peers are timed by suite.py's
own routine (the three forms: numpy.einsum(optimize='optimal'), numpy with its path computed once, opt_einsum's
contract_expression), so the figures are measured as bench/run measures them.

  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=$(bench/compare/find_opt_einsum.sh) \\
      python3 bench/compare/einsum_suite_cpu.py [--rows E01,E07] [--before-jar OLD.jar] \\
      [--extra bench/compare/elementwise_rows.tsv] > table.md
--extra FILE: more rows (id, spec, shapes, tab-separated; '#' comments) timed against the same peers by the command
line only, printed as a second table (--rows none: those alone).
Needs `mvn -B -q -DskipTests package` first (bench/target/benchmarks.jar, java/target/einsum4j.jar).
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import suite  # noqa: E402

MEMORY_ROWS = ("E02", "E07", "E09")


def peers(rows, repeat, warmup):
    out = {}
    for rid, spec, shapes in rows:
        rng = np.random.default_rng(0)
        ops = [(rng.random(s) * 2 - 1).astype(np.float32) for s in shapes]
        out[rid], _ = suite.numpy_forms(spec, ops, repeat, warmup)
        print(f"peers {rid}: {out[rid]}", file=sys.stderr, flush=True)
    return out


def jmh(jar, bench, ids, extra):
    """p50 ms per row of one JMH benchmark method."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        result = f.name
    cmd = ["java", "-Djmh.ignoreLock=true", "-jar", jar, bench, "-p", "row=" + ",".join(ids),
           "-rf", "json", "-rff", result] + extra.split()
    print(" ".join(cmd), file=sys.stderr, flush=True)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    out = {p["row"]: ms for p, ms, _, _ in suite.load_jmh([result])}
    os.unlink(result)
    return out


def cli(rows, repeat):
    out = {}
    jar = os.path.join(ROOT, "java", "target", "einsum4j.jar")
    for rid, spec, shapes in rows:
        cmd = ["java", "-jar", jar, "contract", spec, *["x".join(map(str, s)) for s in shapes], "--json",
               "--repeat", str(repeat)]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
        out[rid] = json.loads(proc.stdout.strip().splitlines()[-1])["median_ns"] / 1e6
        print(f"cli {rid}: {out[rid]:.4f} ms", file=sys.stderr, flush=True)
    return out


def fmt(x):
    return "-" if x is None else (f"{x:.3f}" if x >= 0.01 else f"{x:.4f}")


def ratio(a, b):
    return None if a is None or not b else a / b


def gm(xs):
    xs = [x for x in xs if x]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")


def extra_rows(path, repeat, warmup, cli_repeat):
    rows = []
    with open(path) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                rid, spec, shapes = line.rstrip("\n").split("\t")[:3]
                rows.append((rid, spec, suite.shapes_of(shapes)))
    pe, cl = {}, {}
    for row in rows:
        pe.update(peers([row], repeat, warmup))
        cl.update(cli([row], cli_repeat))
    print("| row | spec | shapes | numpy optimal | numpy path once | opt_einsum expr | best peer | einsum4j CLI | "
          "best peer / CLI |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    rs = []
    for rid, spec, shapes in rows:
        t = pe[rid]
        best = min(v for v in t.values() if v is not None)
        rs.append(ratio(best, cl[rid]))
        print(f"| {rid} | `{spec}` | {' '.join('x'.join(map(str, s)) for s in shapes)} | {fmt(t['numpy'])} | "
              f"{fmt(t['numpy-path'])} | {fmt(t.get('opt_einsum'))} | {fmt(best)} | {fmt(cl[rid])} | {rs[-1]:.2f} |")
    print(f"\nTimes in ms (medians). Geometric mean of best peer / einsum4j CLI: {gm(rs):.2f}x; slower than the best "
          f"peer: {[r for r, (x) in zip([r[0] for r in rows], rs) if x and x < 1] or 'none'}.\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", default="")
    p.add_argument("--repeat", type=int, default=30, help="peer calls per form (bench/run: 30)")
    p.add_argument("--warmup", type=int, default=3, help="peer warm-up calls (bench/run: 3)")
    p.add_argument("--jmh", default="-f 1 -wi 3 -i 5 -w 1 -r 1", help="JMH options (bench/run's full mode)")
    p.add_argument("--cli-repeat", type=int, default=200)
    p.add_argument("--before-jar", help="benchmarks.jar of another build: its ContractBenchmark, same session")
    p.add_argument("--extra", help="TSV of more rows (id, spec, shapes): peers and the command line only")
    args = p.parse_args()
    if args.extra:
        extra_rows(args.extra, args.repeat, args.warmup, args.cli_repeat)
        if args.rows == "none":
            return
    wanted = set(args.rows.split(",")) if args.rows else None
    rows = [(f[0], f[1], suite.shapes_of(f[2])) for f in suite.load_tsv("einsum_suite.tsv")
            if wanted is None or f[0] in wanted]
    ids = [r[0] for r in rows]
    jar = os.path.join(ROOT, "bench", "target", "benchmarks.jar")

    # row by row, every figure of a row within a minute or so: a busy machine's load drifts, and ratios are only
    # fair between figures taken at the same time
    pe, after, copy, cl, before = {}, {}, {}, {}, {}
    for row in rows:
        rid = row[0]
        pe.update(peers([row], args.repeat, args.warmup))
        after.update(jmh(jar, "ContractBenchmark.contract$", [rid], args.jmh))
        if args.before_jar:
            before.update(jmh(args.before_jar, "ContractBenchmark.contract$", [rid], args.jmh))
        if rid in MEMORY_ROWS:
            copy.update(jmh(jar, "CopyBenchmark", [rid], args.jmh))
        cl.update(cli([row], args.cli_repeat))
    print("| row | spec | numpy optimal | numpy path once | opt_einsum expr | best peer | einsum4j JMH | "
          "einsum4j CLI | best peer / JMH | best peer / CLI |" + (" JMH before | before / after |" if before else ""))
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|" + ("---:|---:|" if before else ""))
    rj, rc, rb = [], [], []
    for rid, spec, _ in rows:
        t = pe[rid]
        best = min(v for v in t.values() if v is not None)
        j, c, b = after.get(rid), cl.get(rid), before.get(rid)
        rj.append(ratio(best, j))
        rc.append(ratio(best, c))
        rb.append(ratio(b, j))
        line = (f"| {rid} | `{spec}` | {fmt(t['numpy'])} | {fmt(t['numpy-path'])} | {fmt(t.get('opt_einsum'))} | "
                f"{fmt(best)} | {fmt(j)} | {fmt(c)} | {rj[-1]:.2f} | {rc[-1]:.2f} |")
        if before:
            line += f" {fmt(b)} | {rb[-1]:.2f} |"
        print(line)
    print(f"\nTimes in ms (medians). Geometric mean of best peer / einsum4j: JMH {gm(rj):.2f}x, CLI {gm(rc):.2f}x"
          + (f"; before / after (JMH): {gm(rb):.2f}x" if before else "") + ". Rows where einsum4j is slower "
          f"than the best peer: JMH {[r for r, x in zip(ids, rj) if x and x < 1] or 'none'}, "
          f"CLI {[r for r, x in zip(ids, rc) if x and x < 1] or 'none'}; below 1.5x: JMH "
          f"{[r for r, x in zip(ids, rj) if x and x < 1.5] or 'none'}.")
    if copy:
        print("\n| row | einsum4j JMH ms | copy of the same bytes (CopyBenchmark) ms | einsum4j / copy bandwidth |")
        print("|---|---:|---:|---:|")
        for rid in ids:
            if rid in copy and after.get(rid):
                print(f"| {rid} | {fmt(after[rid])} | {fmt(copy[rid])} | {copy[rid] / after[rid] * 100:.0f}% |")


if __name__ == "__main__":
    main()
