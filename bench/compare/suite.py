#!/usr/bin/env python3
"""Times the peers of one benchmark suite and writes the suite's result JSON, beside einsum4j's JMH figures.

bench/run calls it after JMH has measured einsum4j on the same rows in the same run; it is the one place where
peer figures are measured and where a suite's JSON (bench/results/<suite>-<machine>.json) is assembled. The
markdown tables, charts and the README's results section are rendered from that JSON by Java
(org.einsum4j.bench.report.Render), never typed in.

  suite.py einsum --jmh A.json [--jmh B.json] --meta meta.json --out X.json [--quick]
  suite.py paths  --jmh A.json ... --meta meta.json --out X.json [--quick]
  suite.py layers --jmh A.json --jmh-log jmh.log --meta meta.json --out X.json [--quick] [--torch-device cpu]
  suite.py dp     --jmh A.json --meta meta.json --out X.json
  suite.py env                      (prints the peers' versions and thread counts as JSON)

Peers (../shared/bench/README.md): on the einsum suite all three numpy/opt_einsum forms per row,
numpy.einsum(optimize='optimal') (path searched in every call), numpy.einsum with the path computed once by
numpy.einsum_path and passed as optimize=path, and opt_einsum.contract_expression compiled once; on the path
suite numpy.einsum_path and opt_einsum.contract_path with the same optimizer on the same seeded networks; on the
layer suite PyTorch's two formulations (bench/compare/torch_gradsample.py) where torch is importable. A peer that
cannot run here is written as unavailable with the reason, and the table says so.
"""
import argparse
import json
import multiprocessing as mp
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
SUITES = os.path.join(ROOT, "java", "src", "main", "resources", "org", "einsum4j", "cli", "bench")

try:
    import opt_einsum as oe
    OE_WHY = None
except ImportError as e:  # the table says so instead of failing
    oe = None
    OE_WHY = "opt_einsum not importable here (" + str(e) + ")"


def torch_why():
    try:
        import torch  # noqa: F401
        return None
    except ImportError:
        return "peer not available here (torch not importable)"


# ---------------------------------------------------------------------------------------------------- timing

def median_ms(fn, repeat, warmup):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def best_ms(fn, min_runs, budget_s):
    fn()
    best = float("inf")
    runs = 0
    t_end = time.perf_counter() + budget_s
    while runs < min_runs or (time.perf_counter() < t_end and runs < 200):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
        runs += 1
    return best * 1e3


def _child(target, args, q):
    try:
        q.put(("ok", target(*args)))
    except Exception as e:  # reported in the table, not a crash of the whole run
        q.put(("error", type(e).__name__ + ": " + str(e)[:200]))


def in_child(target, args, timeout_s):
    """(value, note): runs target in a child process so a factorial search can be cut off after timeout_s."""
    q = mp.Queue()
    p = mp.Process(target=_child, args=(target, args, q))
    p.start()
    p.join(timeout_s)
    if p.is_alive():
        p.terminate()
        p.join()
        return None, "> %g s" % timeout_s
    if q.empty():
        return None, "failed"
    kind, value = q.get()
    return (value, None) if kind == "ok" else (None, value)


# ---------------------------------------------------------------------------------------------------- JMH

def load_jmh(paths):
    """JMH JSON results → list of (params, ms, err_ms); SampleTime reports the median, others the mean."""
    out = []
    for path in paths or []:
        if not os.path.exists(path):
            continue
        with open(path) as f:
            text = f.read().strip()
        if not text:
            continue
        for r in json.loads(text):
            m = r["primaryMetric"]
            scale = {"s/op": 1e3, "ms/op": 1.0, "us/op": 1e-3, "ns/op": 1e-6}[m["scoreUnit"]]
            if r.get("mode") == "sample" and "50.0" in m.get("scorePercentiles", {}):
                ms = m["scorePercentiles"]["50.0"] * scale
            else:
                ms = m["score"] * scale
            err = m.get("scoreError")
            err = err * scale if isinstance(err, (int, float)) and err == err else None
            out.append((r.get("params", {}), ms, err, r))
    return out


def jmh_method(args):
    return "JMH " + " ".join(args.jmh_opts.split()) if args.jmh_opts else "JMH"


# ---------------------------------------------------------------------------------------------------- suites

def json_lines(text):
    """The JSON objects of a peer script's output, one per line; other lines (warnings) are skipped."""
    out = []
    for line in text.splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out


def load_tsv(name):
    rows = []
    with open(os.path.join(SUITES, name)) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                rows.append(line.rstrip("\n").split("\t"))
    return rows


def shapes_of(field):
    return [tuple(int(d) for d in s.split("x")) if s not in ("", "scalar", "()") else () for s in field.split(";")]


def scaled(shapes, factor):
    return [tuple([max(1, int(round(s[0] * factor)))] + list(s[1:])) for s in shapes]


def work(spec, shapes):
    """Multiply-adds of the naive loop nest: the product of every label's size."""
    size = {}
    lhs = spec.split("->")[0].split(",")
    for term, shp in zip(lhs, shapes):
        t = term.replace("...", "")
        ell = len(shp) - len(t)
        dims = list(shp)
        if "..." in term:
            pre = term.index("...")
            for k in range(ell):
                size["." + str(k)] = dims[pre + k]
            dims = dims[:pre] + dims[pre + ell:]
        for c, d in zip(t, dims):
            size[c] = d
    w = 1
    for d in size.values():
        w *= d
    return w


def numpy_forms(spec, ops, repeat, warmup):
    """The three peer forms of one contraction: {key: ms or None}, {key: note}."""
    times, notes = {}, {}
    times["numpy"] = median_ms(lambda: np.einsum(spec, *ops, optimize="optimal"), repeat, warmup)
    path, _ = np.einsum_path(spec, *ops, optimize="optimal")
    times["numpy-path"] = median_ms(lambda: np.einsum(spec, *ops, optimize=path), repeat, warmup)
    if oe is not None:
        expr = oe.contract_expression(spec, *[o.shape for o in ops], optimize="optimal")
        times["opt_einsum"] = median_ms(lambda: expr(*ops), repeat, warmup)
    else:
        times["opt_einsum"] = None
    return times, notes


EINSUM_PEERS = [
    ("numpy", "numpy.einsum(optimize='optimal')", "path searched in every call, as a plain call does"),
    ("numpy-path", "numpy.einsum(optimize=path)", "path from numpy.einsum_path computed once"),
    ("opt_einsum", "opt_einsum.contract_expression", "compiled once, optimize='optimal'"),
]


def peer_list(defs, why):
    out = []
    for key, name, method in defs:
        p = {"key": key, "name": name, "method": method, "available": why.get(key) is None}
        if why.get(key):
            p["why"] = why[key]
        out.append(p)
    return out


def speedups(row, peers):
    sp = {}
    for k, v in row["peers"].items():
        if v is not None and row.get("einsum4j"):
            sp[k] = round(v / row["einsum4j"], 4)
    row["speedup"] = sp
    avail = {k: v for k, v in row["peers"].items() if v is not None}
    if avail and row.get("einsum4j"):
        best = min(avail, key=avail.get)
        row["best_peer"] = best
        row["speedup_best"] = round(avail[best] / row["einsum4j"], 4)
    return row


def rnd(x, digits=4):
    if x is None:
        return None
    if x == 0:
        return 0.0
    from math import floor, log10
    return round(x, max(0, digits - 1 - int(floor(log10(abs(x))))))


GPU_PEERS = [
    ("torch", "torch.einsum", "CUDA, float32, TF32 off"),
    ("jax", "JAX jnp.einsum", "jit, optimize='optimal', precision highest"),
]


def suite_einsum_gpu(args, meta):
    """GPU shapes on the card: einsum4j (ContractBenchmark -p backend=cuda -p shapes=gpu) vs torch.einsum and JAX."""
    jmh = {p["row"]: (ms, err) for p, ms, err, _ in load_jmh(args.jmh)}
    cmd = [sys.executable, os.path.join(HERE, "torch_einsum.py"), "--device", "cuda", "--rows", ",".join(jmh),
           "--repeat", "5" if args.quick else "20"]
    res = subprocess.run(cmd, capture_output=True, text=True)
    got, why = {}, {}
    for r in json_lines(res.stdout):
        if "error" in r:
            why[r["peer"]] = "peer not available here (" + r["error"][:120] + ")"
        else:
            got[(r["id"], r["peer"])] = r["ms"]
    rows = []
    for f in load_tsv("einsum_suite.tsv"):
        if f[0] not in jmh:
            continue
        ms, err = jmh[f[0]]
        row = {"id": f[0], "label": f[1], "detail": f[3], "einsum4j": rnd(ms), "einsum4j_err": rnd(err, 2),
               "peers": {k: rnd(got.get((f[0], k))) for k, _, _ in GPU_PEERS}}
        rows.append(speedups(row, GPU_PEERS))
    doc = base_doc("einsum", "Einsum suite on the GPU (float32, GPU shapes)", meta, args)
    doc["einsum4j_method"] = ("`Einsum.contract` with backend cuda per call, JMH ContractBenchmark -p backend=cuda "
                              "-p shapes=gpu, median; " + jmh_method(args))
    doc["peer_method"] = "bench/compare/torch_einsum.py, median, synchronised"
    doc["peers"] = peer_list(GPU_PEERS, why)
    doc["rows"] = rows
    return doc


def suite_einsum(args, meta):
    if args.backend == "cuda":
        return suite_einsum_gpu(args, meta)
    repeat, warmup = (7, 2) if args.quick else (30, 3)
    jmh = load_jmh(args.jmh)
    main_rows = {p["row"]: (ms, err) for p, ms, err, _ in jmh if float(p.get("scale", "1")) == 1.0}
    sweep_pts = {(p["row"], float(p.get("scale", "1"))): (ms, err) for p, ms, err, _ in jmh}
    rows = []
    for f in load_tsv("einsum_suite.tsv"):
        rid, spec, cpu = f[0], f[1], f[2]
        if rid not in main_rows:
            continue
        shapes = shapes_of(cpu)
        rng = np.random.default_rng(0)
        ops = [(rng.random(s) * 2 - 1).astype(np.float32) for s in shapes]
        times, _ = numpy_forms(spec, ops, repeat, warmup)
        ms, err = main_rows[rid]
        row = {"id": rid, "label": spec, "detail": cpu, "einsum4j": rnd(ms), "einsum4j_err": rnd(err, 2),
               "peers": {k: rnd(v) for k, v in times.items()}}
        rows.append(speedups(row, EINSUM_PEERS))
        print("  peers %s %s" % (rid, {k: v for k, v in row["peers"].items()}), file=sys.stderr, flush=True)
    sweep = []
    for f in load_tsv("einsum_suite.tsv"):
        rid, spec, cpu = f[0], f[1], f[2]
        for (r, sc), (ms, err) in sorted(sweep_pts.items()):
            if r != rid or rid not in args.sweep_rows.split(","):
                continue
            shapes = scaled(shapes_of(cpu), sc)
            rng = np.random.default_rng(0)
            ops = [(rng.random(s) * 2 - 1).astype(np.float32) for s in shapes]
            times, _ = numpy_forms(spec, ops, repeat, warmup)
            pt = {"id": rid, "scale": sc, "detail": ";".join("x".join(map(str, s)) for s in shapes),
                  "work": work(spec, shapes), "einsum4j": rnd(ms), "peers": {k: rnd(v) for k, v in times.items()}}
            sweep.append(speedups(pt, EINSUM_PEERS))
    doc = base_doc("einsum", "Einsum suite (float32, CPU shapes)", meta, args)
    doc["einsum4j_method"] = ("`Einsum.contract(spec, operands)` per call (cached plan, execution, result "
                              "allocated and freed), JMH ContractBenchmark sample time, median (± = JMH's 99.9% error of the "
                              "mean); " + jmh_method(args))
    doc["peer_method"] = "median of %d calls after %d warm-up, same seeded float32 operands" % (repeat, warmup)
    doc["peers"] = peer_list(EINSUM_PEERS, {"opt_einsum": OE_WHY})
    doc["rows"] = rows
    doc["sweep"] = sweep
    return doc


# -- path search

def _np_path(spec, shapes, opt):
    ops = [np.empty(s) for s in shapes]
    return best_ms(lambda: np.einsum_path(spec, *ops, optimize=(opt, 1e30)), 3, 1.0)


def _oe_path(spec, shapes, opt):
    return best_ms(lambda: oe.contract_path(spec, *shapes, shapes=True, optimize=opt), 3, 1.0)


def suite_paths(args, meta):
    timeout = 5.0 if args.quick else 60.0
    nets = {}
    with open(args.networks) as f:
        next(f)
        for line in f:
            name, n, spec, shapes = line.rstrip("\n").split("\t")
            nets[int(n)] = (None if spec == "-" else spec, shapes_of(shapes))
    jmh = load_jmh(args.jmh)
    rows = []
    for p, ms, err, _ in sorted(jmh, key=lambda t: (int(t[0]["n"]), t[0]["optimizer"])):
        n, opt = int(p["n"]), p["optimizer"]
        spec, shapes = nets[n]
        peers, notes = {}, {}
        for key, fn, opts in (("numpy", _np_path, ("optimal", "greedy")),
                              ("opt_einsum", _oe_path, ("optimal", "greedy", "dp", "branch-2", "auto", "auto-hq"))):
            if opt not in opts:
                continue
            if key == "opt_einsum" and oe is None:
                peers[key], notes[key] = None, "not available"
            elif spec is None:
                peers[key], notes[key] = None, "not run (> 52 labels)"
            elif opt == "optimal" and n > 10:
                peers[key], notes[key] = None, "not run (factorial)"
            else:
                v, note = in_child(fn, (spec, shapes, opt), timeout)
                peers[key] = rnd(v)
                if note:
                    notes[key] = note
        row = {"id": "n%d %s" % (n, opt), "n": n, "optimizer": opt, "label": opt,
               "detail": "%d operands" % n, "einsum4j": rnd(ms), "einsum4j_err": rnd(err, 2), "peers": peers}
        if notes:
            row["peer_notes"] = notes
        speedups(row, None)
        for k, note in notes.items():
            if note.startswith("> ") and note.endswith(" s") and row.get("einsum4j"):  # cut off: a lower bound
                row.setdefault("speedup_at_least", {})[k] = rnd(timeout * 1e3 / row["einsum4j"])
        rows.append(row)
        print("  peers %s %s %s" % (row["id"], peers, notes), file=sys.stderr, flush=True)
    doc = base_doc("paths", "Path search on seeded random networks (search only, no contraction)", meta, args)
    doc["einsum4j_method"] = ("`PathOptimizer.optimize` per search, JMH PathSearchBenchmark average time; "
                              + jmh_method(args))
    doc["peer_method"] = ("best of >= 3 calls (1 s budget) with the same optimizer on the same network, each peer "
                          "in a child process cut off after %g s" % timeout)
    doc["peers"] = peer_list([("numpy", "numpy.einsum_path", "optimize=(name, 1e30): optimal and greedy only"),
                              ("opt_einsum", "opt_einsum.contract_path", "same optimizer name")],
                             {"opt_einsum": OE_WHY})
    doc["rows"] = rows
    return doc


# -- grad samplers

def suite_layers(args, meta):
    jmh = load_jmh(args.jmh)
    mib = {}
    if args.jmh_log and os.path.exists(args.jmh_log):
        with open(args.jmh_log, errors="replace") as f:
            for line in f:
                if line.startswith("# extra MiB per call (peak) row="):
                    rid, val = line.split("row=")[1].split(":")
                    mib[rid.strip()] = float(val)
    suite = {f[0]: f for f in load_tsv("layer_suite.tsv")}
    why = torch_why()
    torch = {}
    if why is None and args.torch_device:
        ids = [p["row"] for p, *_ in jmh]
        cmd = [sys.executable, os.path.join(HERE, "torch_gradsample.py"), "--device", args.torch_device,
               "--rows", ",".join(sorted({i.rstrip("s") for i in ids})),
               "--repeat", "3" if args.quick else "10", "--warmup", "1" if args.quick else "3"]
        if args.torch_threads:
            cmd += ["--threads", str(args.torch_threads)]
        res = subprocess.run(cmd, capture_output=True, text=True)
        for r in json_lines(res.stdout):
            if "impl" in r:
                torch[(r["id"], r["impl"])] = r
        if not torch:
            why = "torch_gradsample.py failed: " + res.stderr.strip()[-200:]
    rows = []
    for p, ms, err, _ in jmh:
        rid = p["row"]
        base = rid.rstrip("s")
        f = suite.get(base)
        hyper = f[4] + (" sparse" if rid.endswith("s") else "") if f else ""
        peers, peers_mib = {}, {}
        for impl in ("folded", "opacus"):
            t = torch.get((base, impl))
            peers["torch-" + impl] = rnd(t["median_ms"]) if t else None
            peers_mib["torch-" + impl] = rnd(t.get("extra_MiB")) if t else None
        row = {"id": rid, "label": f[1] if f else rid, "detail": "B=%s K=%s %s" % (f[2], f[3], hyper) if f else "",
               "einsum4j": rnd(ms), "einsum4j_err": rnd(err, 2), "einsum4j_mib": rnd(mib.get(rid)),
               "peers": peers, "peers_mib": peers_mib}
        if rid.endswith("s"):
            row["peer_notes"] = {k: "dense" for k in peers}
        rows.append(speedups(row, None))
    doc = base_doc("layers", "Grad samplers: layer suite (per-sample gradients with K, float32)", meta, args)
    doc["einsum4j_method"] = ("`GradSampler.compute` (K-sum) per call, JMH GradSampleBenchmark average time; extra "
                              "MiB = peak native memory a call held beyond its inputs; " + jmh_method(args))
    dev = args.torch_device or "cpu"
    doc["peer_method"] = "bench/compare/torch_gradsample.py --device %s, median; extra MiB on CUDA only" % dev
    doc["peers"] = peer_list([("torch-folded", "PyTorch folded", "the seed's K-folded contraction (einsum/bmm)"),
                              ("torch-opacus", "PyTorch Opacus", "Opacus's stock formulas: per-copy, then sum over K")],
                             {"torch-folded": why, "torch-opacus": why})
    doc["rows"] = rows
    return doc


# -- DP step

def suite_dp(args, meta):
    """DpStepBenchmark: one row per parameter set (layer row, norm mode), with the extra MiB it prints per trial."""
    mib = {}
    if args.jmh_log and os.path.exists(args.jmh_log):
        with open(args.jmh_log, errors="replace") as f:
            for line in f:
                if line.startswith("# extra MiB per ") and "(peak)" in line:
                    key, val = line.split("(peak)", 1)[1].rsplit(":", 1)
                    mib[key.strip()] = float(val)
    rows = []
    for p, ms, err, r in load_jmh(args.jmh):
        key = " ".join("%s=%s" % kv for kv in p.items())
        rows.append({"id": " ".join(p.values()) or r["benchmark"].rsplit(".", 1)[-1],
                     "label": r["benchmark"].rsplit(".", 2)[-2], "detail": key,
                     "einsum4j": rnd(ms), "einsum4j_err": rnd(err, 2), "einsum4j_mib": rnd(mib.get(key)),
                     "peers": {"opacus": None}, "speedup": {}})
    doc = base_doc("dp", "DP-SGD step (DpStepBenchmark)", meta, args)
    doc["einsum4j_method"] = ("one DP step per op, JMH DpStepBenchmark average time; extra MiB = peak native memory "
                              "a step held beyond its inputs; " + jmh_method(args))
    doc["peer_method"] = ""
    doc["peers"] = peer_list([("opacus", "Opacus (PyTorch)", "")], {"opacus": "peer not available here"})
    doc["rows"] = rows
    return doc


# ---------------------------------------------------------------------------------------------------- common

def peer_env():
    env = {"python": platform.python_version(), "numpy": np.__version__}
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg.get("Build Dependencies", {}).get("blas", {})
        env["numpy BLAS"] = ("%s %s" % (blas.get("name", ""), blas.get("version", ""))).strip()
    except Exception:
        pass
    try:
        from threadpoolctl import threadpool_info
        for info in threadpool_info():
            if info.get("user_api") == "blas":
                env["numpy BLAS threads"] = info.get("num_threads")
                env["numpy BLAS core"] = info.get("architecture")
                break
    except Exception:
        pass
    if "numpy BLAS threads" not in env:  # no threadpoolctl: OpenBLAS's own rule, the env variables or all cores
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
            if os.environ.get(var):
                env["numpy BLAS threads"] = "%s (%s)" % (os.environ[var], var)
                break
        else:
            env["numpy BLAS threads"] = "%d (OpenBLAS default: all cores)" % os.cpu_count()
    env["opt_einsum"] = oe.__version__ if oe is not None else None
    try:
        import torch
        env["torch"] = torch.__version__
        env["torch threads"] = torch.get_num_threads()
    except ImportError:
        env["torch"] = None
    return env


def base_doc(suite, title, meta, args):
    doc = {"schema": 1, "suite": suite, "title": title}
    doc.update(meta)
    doc["mode"] = "quick" if args.quick else "full"
    versions = dict(meta.get("versions", {}))
    pe = peer_env()
    for k in ("python", "numpy", "numpy BLAS", "opt_einsum", "torch"):
        versions[k] = pe.get(k)
    doc["versions"] = versions
    threads = dict(meta.get("threads", {}))
    if pe.get("numpy BLAS threads") is not None:
        threads["numpy BLAS"] = pe["numpy BLAS threads"]
    if pe.get("torch threads") is not None:
        threads["torch"] = pe["torch threads"]
    doc["threads"] = threads
    return doc


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("suite", choices=["einsum", "paths", "layers", "dp", "env"])
    p.add_argument("--jmh", action="append", default=[], help="JMH JSON result file (repeatable)")
    p.add_argument("--jmh-opts", default="", help="the JMH options used, for the JSON")
    p.add_argument("--jmh-log", help="JMH's stdout (layers: the extra-MiB lines)")
    p.add_argument("--meta", help="JSON written by bench/run: machine, date, command, Java versions, threads")
    p.add_argument("--out", help="result JSON to write")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--networks", help="paths: the TSV of RandomNetworks")
    p.add_argument("--sweep-rows", default="E01,E02")
    p.add_argument("--backend", default="cpu", choices=["cpu", "cuda"])
    p.add_argument("--load-note", help="appended to machine.load (e.g. ran beside another JMH run)")
    p.add_argument("--torch-device", default="cpu", help="layers: device for the PyTorch peers ('' = none)")
    p.add_argument("--torch-threads", type=int, default=0)
    args = p.parse_args()
    if args.suite == "env":
        print(json.dumps(peer_env()))
        return
    meta = {}
    if args.meta:
        with open(args.meta) as f:
            meta = json.load(f)
    if args.load_note and "machine" in meta:
        meta["machine"]["load"] = meta["machine"].get("load", "") + "; " + args.load_note
    doc = {"einsum": suite_einsum, "paths": suite_paths, "layers": suite_layers, "dp": suite_dp}[args.suite](args, meta)
    text = json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
