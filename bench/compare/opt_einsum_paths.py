#!/usr/bin/env python3
"""Writes opt_einsum's paths for seeded random networks, the regression data of OptEinsumPathsTest.

Needs opt_einsum (3.4.0 was used: pip install opt_einsum). Writes
java/src/test/resources/path/opt_einsum_random_paths.tsv with columns
eq, shapes ('x'-joined dims, ';' between operands), optimizer, memory_limit ('' = none), path, opt_cost.
"""
import sys

import opt_einsum as oe
import opt_einsum.testing

OUT = sys.argv[1] if len(sys.argv) > 1 else "java/src/test/resources/path/opt_einsum_random_paths.tsv"
rows = []
for seed in range(120):
    n = 3 + seed % 10
    eq, shapes = oe.testing.rand_equation(n, 2 + seed % 3, n_out=seed % 3, d_min=2, d_max=6, seed=seed)
    for opt in ["greedy", "branch-1", "branch-2", "branch-all", "optimal", "dp"]:
        for mem in [None, 20, "max_input"]:
            if opt in ("optimal", "branch-all") and n > 7:
                continue
            if opt == "dp" and mem is not None:
                continue
            try:
                path, info = oe.contract_path(eq, *shapes, shapes=True, optimize=opt, memory_limit=mem)
            except Exception:
                continue
            rows.append((eq, ";".join("x".join(map(str, s)) for s in shapes), opt, "" if mem is None else str(mem),
                         str(path).replace(" ", ""), str(info.opt_cost)))
with open(OUT, "w") as f:
    f.write(f"# opt_einsum {oe.__version__} on testing.rand_equation(n, reg, n_out, 2, 6, seed); "
            "written by bench/compare/opt_einsum_paths.py\n")
    for r in rows:
        f.write("\t".join(r) + "\n")
print(len(rows), "rows to", OUT)
