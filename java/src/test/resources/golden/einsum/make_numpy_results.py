#!/usr/bin/env python3
"""Stores numpy's einsum results for every row of cases.tsv and random_cases.tsv as .npy test data.

cases.tsv: opt_einsum's test expressions (copied from ../shared/golden/einsum). random_cases.tsv: specs drawn by the
Java test generator org.einsum4j.spec.RandomSpecs (seed 99: diagonals, ellipsis, size-1 broadcasting, scalars,
size-0 labels, implicit and explicit outputs), so numpy checks the oracle on what opt_einsum's list lacks.

For row idx with expression EXPR and shapes S0, S1, ...: rng = numpy.random.default_rng(SEED + idx) with SEED 1000
for cases.tsv and 2000 for random_cases.tsv; operand k is rng.standard_normal(Sk) (float64, drawn in operand
order; a scalar shape () gives a 0-d array). Writes numpy/<prefix>_<idx>_op<k>.npy and
numpy/<prefix>_<idx>_out.npy = numpy.einsum(EXPR, *ops, optimize=True), prefix "case" or "random".

Run from anywhere: python3 make_numpy_results.py  (numpy 2.x). Rows already stored are rewritten identically.
"""
import csv
import os
import re

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_shapes(text):
    # "(2,3),(),(4)" -> [(2, 3), (), (4,)]
    return [tuple(int(x) for x in g.split(",") if x.strip()) for g in re.findall(r"\(([^)]*)\)", text)]


FILES = [("cases.tsv", "case", 1000), ("random_cases.tsv", "random", 2000)]


def main():
    out_dir = os.path.join(HERE, "numpy")
    os.makedirs(out_dir, exist_ok=True)
    for name, prefix, seed in FILES:
        write_cases(os.path.join(HERE, name), prefix, seed, out_dir)


def write_cases(tsv, prefix, seed, out_dir):
    with open(tsv, newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    for row in rows:
        idx = int(row["idx"])
        expr = row["expression"]
        shapes = parse_shapes(row["shapes_default_dims"])
        rng = np.random.default_rng(seed + idx)
        ops = [np.asarray(rng.standard_normal(s), dtype=np.float64) for s in shapes]
        res = np.array(np.einsum(expr, *ops, optimize=True), dtype=np.float64, order="C")  # C order for the reader
        for k, op in enumerate(ops):
            np.save(os.path.join(out_dir, f"{prefix}_{idx}_op{k}.npy"), op)
        np.save(os.path.join(out_dir, f"{prefix}_{idx}_out.npy"), res)
    print(f"wrote {len(rows)} cases of {os.path.basename(tsv)} to {out_dir}")


if __name__ == "__main__":
    main()
