#!/usr/bin/env python3
"""The einsum suite on the CPU, einsum4j against the three peer forms, in one session: prints a markdown table.

Per row (float32, CPU shapes): numpy.einsum(optimize='optimal'), numpy with its path computed once
(optimize=path) and opt_einsum's contract_expression (timed as numpy_einsum.py does, autoranged); einsum4j's
ContractBenchmark (JMH sample time, median per call of Einsum.contract) and copySameBytes (Tensor.copy of as many
bytes as the row moves); and the command line's `contract ... --json` (warm-up >= 1 s, batched timing). Ratios are
best peer / einsum4j (above 1: einsum4j is faster). Run with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset and
opt_einsum on the PYTHONPATH:

  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=$(bench/compare/find_opt_einsum.sh) \\
      python3 bench/compare/einsum_suite_cpu.py [--rows E01,E07] [--jmh "-wi 3 -i 5"] > table.md
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
import numpy_einsum as ne  # noqa: E402


def peers(rows, repeat, warmup_s):
    out = {}
    for r in rows:
        rng = np.random.default_rng(0)
        ops = [(rng.random(s) * 2 - 1).astype(np.float32) for s in r["shapes"]]
        spec = r["spec"]
        path, _ = np.einsum_path(spec, *ops, optimize="optimal")
        t = {"optimal": ne.median_seconds(lambda: np.einsum(spec, *ops, optimize="optimal"), repeat, warmup_s),
             "with_path": ne.median_seconds(lambda: np.einsum(spec, *ops, optimize=path), repeat, warmup_s)}
        if ne.oe is not None:
            expr = ne.oe.contract_expression(spec, *[o.shape for o in ops], optimize="optimal")
            t["opt_einsum"] = ne.median_seconds(lambda: expr(*ops), repeat, warmup_s)
        out[r["id"]] = {k: v * 1e3 for k, v in t.items()}
        print(f"peers {r['id']}: {out[r['id']]}", file=sys.stderr, flush=True)
    return out


MEMORY_ROWS = ("E02", "E07", "E08", "E09")


def jmh(rows, extra):
    out = {}
    ids = [r["id"] for r in rows]
    for method, which in (("contract", ids), ("copySameBytes", [i for i in ids if i in MEMORY_ROWS])):
        if not which:
            continue
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
            result = f.name
        cmd = ["java", "-Djmh.ignoreLock=true", "-jar", os.path.join(ROOT, "bench", "target", "benchmarks.jar"),
               "ContractBenchmark." + method + "$", "-p", "row=" + ",".join(which), "-p", "dtype=f32",
               "-rf", "json", "-rff", result] + extra.split()
        print(" ".join(cmd), file=sys.stderr, flush=True)
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        with open(result) as f:
            for b in json.load(f):
                p50 = b["primaryMetric"]["scorePercentiles"]["50.0"]
                out.setdefault(b["params"]["row"], {})[method] = p50
        os.unlink(result)
    return out


def cli(rows, repeat):
    out = {}
    jar = os.path.join(ROOT, "java", "target", "einsum4j.jar")
    for r in rows:
        shapes = ["x".join(map(str, s)) for s in r["shapes"]]
        cmd = ["java", "-jar", jar, "contract", r["spec"], *shapes, "--json", "--repeat", str(repeat)]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
        out[r["id"]] = json.loads(proc.stdout.strip().splitlines()[-1])["median_ns"] / 1e6
        print(f"cli {r['id']}: {out[r['id']]:.4f} ms", file=sys.stderr, flush=True)
    return out


def fmt(x):
    return "-" if x is None else (f"{x:.3f}" if x >= 0.01 else f"{x:.4f}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", default="")
    p.add_argument("--repeat", type=int, default=5, help="peer batches per form")
    p.add_argument("--warmup-s", type=float, default=0.3)
    p.add_argument("--jmh", default="-f 1 -wi 3 -i 3 -w 1 -r 1", help="JMH options")
    p.add_argument("--cli-repeat", type=int, default=200)
    args = p.parse_args()
    wanted = set(args.rows.split(",")) if args.rows else None
    rows = [r for r in ne.load_suite(ne.SUITE) if wanted is None or r["id"] in wanted]

    pe = peers(rows, args.repeat, args.warmup_s)
    jm = jmh(rows, args.jmh)
    cl = cli(rows, args.cli_repeat)

    print("| row | spec | numpy optimal | numpy path once | opt_einsum expr | best peer | einsum4j JMH | "
          "einsum4j CLI | best peer / JMH | best peer / CLI |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    ratios_j, ratios_c = [], []
    for r in rows:
        t = pe[r["id"]]
        best = min(t.values())
        j = jm.get(r["id"], {}).get("contract")
        c = cl.get(r["id"])
        rj = best / j if j else None
        rc = best / c if c else None
        if rj:
            ratios_j.append(rj)
        if rc:
            ratios_c.append(rc)
        print(f"| {r['id']} | `{r['spec']}` | {fmt(t['optimal'])} | {fmt(t['with_path'])} | "
              f"{fmt(t.get('opt_einsum'))} | {fmt(best)} | {fmt(j)} | {fmt(c)} | "
              f"{'-' if rj is None else f'{rj:.2f}'} | {'-' if rc is None else f'{rc:.2f}'} |")
    gm = lambda xs: math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")
    print(f"\nGeometric mean of best peer / einsum4j: JMH {gm(ratios_j):.2f}x, CLI {gm(ratios_c):.2f}x; "
          f"rows where einsum4j is slower than the best peer: JMH "
          f"{sum(1 for x in ratios_j if x < 1)}, CLI {sum(1 for x in ratios_c if x < 1)}.")
    print("\n| row | einsum4j JMH ms | copySameBytes ms | einsum4j / copy bandwidth |")
    print("|---|---|---|---|")
    for r in rows:
        m = jm.get(r["id"], {})
        if "copySameBytes" in m and "contract" in m:
            print(f"| {r['id']} | {fmt(m['contract'])} | {fmt(m['copySameBytes'])} | "
                  f"{m['copySameBytes'] / m['contract'] * 100:.0f}% |")


if __name__ == "__main__":
    main()
