#!/usr/bin/env python3
"""einsum4j / numpy time ratios on the einsum suite's CPU shapes, measured side by side on this machine.

For each row: numpy makes the operands and times numpy.einsum(spec, *ops, optimize='optimal'); the operands are
saved as .npy and `java -jar java/target/einsum4j.jar contract SPEC --inputs ... --json` times Einsum.contract on
the very same arrays (median per call, in one JVM, after warm-up). The checksums (sum of the result) are compared
too, so a wrong result shows up here as well as a slow one. Ratio < 1: einsum4j is faster.

Usage: python3 bench/compare/ratio_table.py [--rows E02,E04] [--dtype f32|f64] [--repeat 10] [--jar PATH]
Build first: mvn -B -q -DskipTests package
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from numpy_einsum import SUITE, load_suite, median_seconds  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", default="", help="comma-separated row ids (default: all)")
    p.add_argument("--dtype", default="f32", choices=["f32", "f64"])
    p.add_argument("--repeat", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--jar", default=os.path.join(ROOT, "java", "target", "einsum4j.jar"))
    args = p.parse_args()
    if not os.path.isfile(args.jar):
        sys.exit(f"ratio_table.py: {args.jar} not found; build it with: mvn -B -q -DskipTests package")

    dtype = np.float32 if args.dtype == "f32" else np.float64
    wanted = set(args.rows.split(",")) if args.rows else None
    rows = [r for r in load_suite(SUITE) if wanted is None or r["id"] in wanted]
    rtol = 1e-3 if args.dtype == "f32" else 1e-9

    print(f"numpy {np.__version__} vs einsum4j ({args.jar}), {args.dtype}, median of {args.repeat} calls "
          f"after {args.warmup} warm-up, on {os.cpu_count()} CPUs")
    print(f"{'id':4} {'spec':24} {'numpy ms':>10} {'einsum4j ms':>12} {'ratio':>7}  checksum")
    with tempfile.TemporaryDirectory() as tmp:
        for r in rows:
            rng = np.random.default_rng(0)
            ops = [(rng.random(s) * 2 - 1).astype(dtype) for s in r["shapes"]]
            want = float(np.einsum(r["spec"], *ops, optimize="optimal").sum(dtype=np.float64))
            t_np = median_seconds(lambda: np.einsum(r["spec"], *ops, optimize="optimal"), args.repeat, args.warmup)
            files = []
            for k, a in enumerate(ops):
                f = os.path.join(tmp, f"{r['id']}_{k}.npy")
                np.save(f, a)
                files.append(f)
            cmd = ["java", "-jar", args.jar, "contract", r["spec"], "--inputs", ",".join(files), "--json",
                   "--repeat", str(args.repeat), "--warmup", str(args.warmup)]
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode != 0:
                print(f"{r['id']:4} {r['spec']:24} {t_np * 1e3:10.3f} {'failed':>12} {'':>7}  "
                      f"{proc.stderr.strip()}", flush=True)
                continue
            got = json.loads(proc.stdout)
            t_j = got["median_ns"] / 1e9
            ok = got["checksum"] is not None and abs(got["checksum"] - want) <= rtol * max(1.0, abs(want))
            print(f"{r['id']:4} {r['spec']:24} {t_np * 1e3:10.3f} {t_j * 1e3:12.3f} {t_j / t_np:7.2f}  "
                  f"{'ok' if ok else 'MISMATCH %r vs numpy %r' % (got['checksum'], want)}", flush=True)
            for f in files:
                os.remove(f)


if __name__ == "__main__":
    main()
