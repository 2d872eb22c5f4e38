#!/usr/bin/env python3
"""Stores numpy's einsum results for every row of cases.tsv as .npy test data.

For row idx with expression EXPR and shapes S0, S1, ...: rng = numpy.random.default_rng(1000 + idx); operand k is
rng.standard_normal(Sk) (float64, drawn in operand order; a scalar shape () gives a 0-d array). Writes
numpy/case_<idx>_op<k>.npy and numpy/case_<idx>_out.npy = numpy.einsum(EXPR, *ops, optimize=True).

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


def main():
    out_dir = os.path.join(HERE, "numpy")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(HERE, "cases.tsv"), newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    for row in rows:
        idx = int(row["idx"])
        expr = row["expression"]
        shapes = parse_shapes(row["shapes_default_dims"])
        rng = np.random.default_rng(1000 + idx)
        ops = [np.asarray(rng.standard_normal(s), dtype=np.float64) for s in shapes]
        res = np.array(np.einsum(expr, *ops, optimize=True), dtype=np.float64, order="C")  # C order for the reader
        for k, op in enumerate(ops):
            np.save(os.path.join(out_dir, f"case_{idx}_op{k}.npy"), op)
        np.save(os.path.join(out_dir, f"case_{idx}_out.npy"), res)
    print(f"wrote {len(rows)} cases to {out_dir}")


if __name__ == "__main__":
    main()
