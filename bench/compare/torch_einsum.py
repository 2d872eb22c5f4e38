#!/usr/bin/env python3
"""Times torch.einsum and JAX (jit of jnp.einsum, optimize='optimal', precision highest) on the einsum suite's GPU
shapes: the GPU peers of ContractBenchmark -p shapes=gpu (../shared/bench/README.md). float32, TF32 off.
Prints one JSON object per (row, peer): median ms per call, synchronised (torch.cuda.synchronize /
block_until_ready). A peer that cannot be imported prints one object with "error".

  python3 bench/compare/torch_einsum.py [--device cuda] [--rows E01,E02] [--repeat 20] [--warmup 3] [--no-jax]
"""
import argparse
import json
import os
import statistics
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SUITE = os.path.join(HERE, "..", "..", "java", "src", "main", "resources", "org", "einsum4j", "cli", "bench",
                     "einsum_suite.tsv")


def rows(wanted):
    out = []
    with open(SUITE) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            fid, spec, _cpu, gpu, *_ = line.rstrip("\n").split("\t")
            if wanted and fid not in wanted:
                continue
            out.append((fid, spec, [tuple(int(d) for d in s.split("x")) for s in gpu.split(";")]))
    return out


def median_ms(fn, sync, repeat, warmup):
    for _ in range(warmup):
        fn()
    sync()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--device", default="cuda")
    p.add_argument("--rows", default="")
    p.add_argument("--repeat", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--no-jax", action="store_true")
    args = p.parse_args()
    todo = rows(set(args.rows.split(",")) if args.rows else None)
    try:
        import torch
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        dev = torch.device(args.device)
        sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
        for rid, spec, shapes in todo:
            g = torch.Generator(device=dev).manual_seed(0)
            ops = [torch.rand(s, device=dev, generator=g) * 2 - 1 for s in shapes]
            ms = median_ms(lambda: torch.einsum(spec, *ops), sync, args.repeat, args.warmup)
            print(json.dumps({"id": rid, "peer": "torch", "ms": ms, "device": str(dev),
                              "version": torch.__version__,
                              "card": torch.cuda.get_device_name(0) if dev.type == "cuda" else None}), flush=True)
            del ops
            if dev.type == "cuda":
                torch.cuda.empty_cache()
    except Exception as e:
        print(json.dumps({"peer": "torch", "error": repr(e)[:300]}), flush=True)
    if args.no_jax:
        return
    try:
        import jax
        import jax.numpy as jnp
        for rid, spec, shapes in todo:
            key = jax.random.PRNGKey(0)
            ops = [jax.random.uniform(jax.random.fold_in(key, k), s, jnp.float32, -1, 1) for k, s in enumerate(shapes)]
            f = jax.jit(lambda *o, s=spec: jnp.einsum(s, *o, optimize="optimal", precision="highest"))
            ms = median_ms(lambda: f(*ops).block_until_ready(), lambda: None, args.repeat, args.warmup)
            print(json.dumps({"id": rid, "peer": "jax", "ms": ms, "version": jax.__version__,
                              "device": str(jax.devices()[0])}), flush=True)
            del ops
    except Exception as e:
        print(json.dumps({"peer": "jax", "error": repr(e)[:300]}), flush=True)


if __name__ == "__main__":
    main()
