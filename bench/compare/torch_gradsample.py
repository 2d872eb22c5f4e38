#!/usr/bin/env python3
"""Per-sample gradients with augmentation multiplicity K in PyTorch, on the rows of layer_suite.tsv, to set
beside `einsum4j gradsample ... --json` on the same machine.

Two implementations per row, as ../shared/bench/README.md describes:
  opacus  Opacus's stock formulas: per-copy per-sample gradients [B*K, ...] (Conv: the G^2 group blocks, then
          their diagonal; LSTM: one outer product per time step), then a sum over K;
  folded  the seed's K-folded contraction: [B*K, ...] viewed as [B, K, ...] with K summed in the contraction.
Both give the same numbers (checked here against each other). Prints one JSON object per (row, impl):
median ms per call and, on CUDA, the extra MiB allocated at peak (torch.cuda.max_memory_allocated).

  python3 bench/compare/torch_gradsample.py --device cpu --threads 16 --repeat 5
  python3 bench/compare/torch_gradsample.py --device cuda --rows L01,L04
"""
import argparse
import json
import os
import statistics
import time

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
SUITE = os.path.join(HERE, "..", "..", "java", "src", "main", "resources", "org", "einsum4j", "cli", "bench", "layer_suite.tsv")


def rows():
    out = []
    with open(SUITE) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            rid, layer, b, k, hyper, *_ = line.rstrip("\n").split("\t")
            hp = {}
            for w in hyper.split():
                key, _, val = w.partition("=")
                hp[key] = val if val else "true"
            out.append((rid, layer, int(b), int(k), hp))
    return out


def linear(B, K, hp, dev):
    T = int(hp.get("T", 0))
    mid = (T,) if T else ()
    i, o = int(hp["in"]), int(hp["out"])
    a = torch.rand(B * K, *mid, i, device=dev) * 2 - 1
    g = torch.rand(B * K, *mid, o, device=dev) * 2 - 1

    def opacus():
        w = torch.einsum("n...i,n...j->nij", g, a).view(B, K, o, i).sum(1)
        bias = (g.sum(1) if T else g).view(B, K, o).sum(1)
        return w, bias

    def folded():
        gv, av = g.reshape(B, -1, o), a.reshape(B, -1, i)
        return torch.bmm(gv.transpose(1, 2), av), gv.sum(1)
    return opacus, folded


def conv2d(B, K, hp, dev):
    cin, cout, ks = int(hp["cin"]), int(hp["cout"]), int(hp["k"])
    st, pad, G = int(hp.get("stride", 1)), int(hp.get("pad", 0)), int(hp.get("groups", 1))
    H, W = int(hp["H"]), int(hp["W"])
    a = torch.rand(B * K, cin, H, W, device=dev) * 2 - 1
    Ho = (H + 2 * pad - ks) // st + 1
    Wo = (W + 2 * pad - ks) // st + 1
    g = torch.rand(B * K, cout, Ho, Wo, device=dev) * 2 - 1
    n = B * K
    L = Ho * Wo

    def opacus():
        u = F.unfold(a, ks, padding=pad, stride=st)
        gb = g.reshape(n, -1, L)
        gs = torch.einsum("noq,npq->nop", gb, u)
        gs = gs.view(n, G, cout // G, G, cin // G, ks * ks)
        gs = torch.einsum("ngrg...->ngr...", gs).contiguous()
        w = gs.view(B, K, cout, cin // G, ks, ks).sum(1)
        return w, gb.sum(2).view(B, K, cout).sum(1)

    def folded():
        u = F.unfold(a, ks, padding=pad, stride=st).view(B, K, G, (cin // G) * ks * ks, L)
        gv = g.reshape(B, K, G, cout // G, L)
        w = torch.einsum("nkgoq,nkgpq->ngop", gv, u).reshape(B, cout, cin // G, ks, ks)
        return w, g.reshape(B, K, cout, L).sum((1, 3))
    return opacus, folded


def embedding(B, K, hp, dev):
    T, V, D = int(hp["T"]), int(hp["V"]), int(hp["D"])
    idx = torch.randint(0, V, (B * K, T), device=dev)
    g = torch.rand(B * K, T, D, device=dev) * 2 - 1

    def scatter(n, ix, gg):
        index = ix.reshape(n, -1).unsqueeze(-1).expand(n, ix.numel() // n, D)
        out = torch.zeros(n, V, D, device=dev)
        out.scatter_add_(1, index, gg.reshape(n, -1, D))
        return out

    def opacus():
        return (scatter(B * K, idx, g).view(B, K, V, D).sum(1),)

    def folded():
        return (scatter(B, idx, g),)
    return opacus, folded


def layernorm(B, K, hp, dev):
    T, D = int(hp["T"]), int(hp["D"])
    a = torch.rand(B * K, T, D, device=dev) * 2 - 1
    g = torch.rand(B * K, T, D, device=dev) * 2 - 1

    def opacus():
        x = F.layer_norm(a, (D,), eps=1e-5) * g
        return x.sum(1).view(B, K, D).sum(1), g.sum(1).view(B, K, D).sum(1)

    def folded():
        x = F.layer_norm(a, (D,), eps=1e-5) * g
        return x.view(B, K * T, D).sum(1), g.view(B, K * T, D).sum(1)
    return opacus, folded


def groupnorm(B, K, hp, dev):
    C, G, H, W = int(hp["C"]), int(hp["groups"]), int(hp["H"]), int(hp["W"])
    a = torch.rand(B * K, C, H, W, device=dev) * 2 - 1
    g = torch.rand(B * K, C, H, W, device=dev) * 2 - 1

    def opacus():
        gs = F.group_norm(a, G, eps=1e-5) * g
        return (torch.einsum("ni...->ni", gs).view(B, K, C).sum(1),
                torch.einsum("ni...->ni", g).view(B, K, C).sum(1))

    def folded():
        gs = F.group_norm(a, G, eps=1e-5) * g
        return gs.view(B, K, C, -1).sum((1, 3)), g.view(B, K, C, -1).sum((1, 3))
    return opacus, folded


def lstm(B, K, hp, dev):
    T, i, H = int(hp["T"]), int(hp["in"]), int(hp["H"])
    x = torch.rand(B * K, T, i, device=dev) * 2 - 1
    h = torch.rand(B * K, T, H, device=dev) * 2 - 1
    gi = torch.rand(B * K, T, 4 * H, device=dev) * 2 - 1
    gh = torch.rand(B * K, T, 4 * H, device=dev) * 2 - 1

    def opacus():
        # DPLSTM: one linear-layer hook per step, per-sample grads accumulated over steps
        wih = torch.zeros(B * K, 4 * H, i, device=dev)
        whh = torch.zeros(B * K, 4 * H, H, device=dev)
        for t in range(T):
            wih += torch.einsum("ni,nj->nij", gi[:, t], x[:, t])
            whh += torch.einsum("ni,nj->nij", gh[:, t], h[:, t])
        return (wih.view(B, K, 4 * H, i).sum(1), whh.view(B, K, 4 * H, H).sum(1),
                gi.sum(1).view(B, K, -1).sum(1), gh.sum(1).view(B, K, -1).sum(1))

    def folded():
        return (torch.einsum("nki,nkj->nij", gi.reshape(B, K * T, -1), x.reshape(B, K * T, -1)),
                torch.einsum("nki,nkj->nij", gh.reshape(B, K * T, -1), h.reshape(B, K * T, -1)),
                gi.reshape(B, K * T, -1).sum(1), gh.reshape(B, K * T, -1).sum(1))
    return opacus, folded


MAKERS = {"Linear": linear, "Conv2d": conv2d, "Embedding": embedding, "LayerNorm": layernorm,
          "GroupNorm": groupnorm, "LSTM": lstm}


def sync(dev):
    if dev.startswith("cuda"):
        torch.cuda.synchronize()


def measure(fn, dev, repeat, warmup):
    for _ in range(warmup):
        fn()
    sync(dev)
    ts = []
    extra = None
    for _ in range(repeat):
        if dev.startswith("cuda"):
            torch.cuda.reset_peak_memory_stats()
            base = torch.cuda.memory_allocated()
        t0 = time.perf_counter()
        out = fn()
        sync(dev)
        ts.append(time.perf_counter() - t0)
        if dev.startswith("cuda"):
            extra = max(extra or 0, torch.cuda.max_memory_allocated() - base)
        del out
    return statistics.median(ts) * 1e3, extra


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--rows", default="")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--skip", default="", help="row:impl pairs to skip, e.g. L07:opacus")
    args = p.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    want = set(args.rows.split(",")) if args.rows else None
    skip = set(args.skip.split(",")) if args.skip else set()
    for rid, layer, B, K, hp in rows():
        if want and rid not in want:
            continue
        torch.manual_seed(0)
        try:
            run_row(rid, layer, B, K, hp, args, skip)
        except Exception as e:  # one row's failure (e.g. out of memory) must not hide the others
            print(json.dumps({"id": rid, "layer": layer, "error": repr(e)[:300]}), flush=True)
        if args.device.startswith("cuda"):
            torch.cuda.empty_cache()


def run_row(rid, layer, B, K, hp, args, skip):
    with torch.no_grad():
        opacus, folded = MAKERS[layer](B, K, hp, args.device)
        ref = None
        for name, fn in (("folded", folded), ("opacus", opacus)):
            if f"{rid}:{name}" in skip:
                continue
            ms, extra = measure(fn, args.device, args.repeat, args.warmup)
            out = fn()
            if ref is None:
                ref = out
                err = 0.0
            else:
                err = max(float((x - y).norm() / y.norm()) for x, y in zip(out, ref))
            del out
            print(json.dumps({"id": rid, "layer": layer, "B": B, "K": K, "impl": name, "device": args.device,
                              "threads": torch.get_num_threads(), "median_ms": round(ms, 3),
                              "extra_MiB": None if extra is None else round(extra / 2**20, 1),
                              "rel_diff_vs_folded": err}), flush=True)
        del ref


if __name__ == "__main__":
    main()
