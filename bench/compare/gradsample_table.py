#!/usr/bin/env python3
"""Markdown table of the layer suite from `einsum4j gradsample --json` lines, optionally with JMH's JSON result
(GradSampleBenchmark) and torch_gradsample.py lines measured on the same machine.

  python3 bench/compare/gradsample_table.py --cli cli.jsonl [--jmh jmh.json --jmh-log jmh.log] [--torch torch.jsonl]
"""
import argparse
import json


def load_lines(path):
    out = []
    if path:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    out.append(json.loads(line))
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cli", required=True)
    p.add_argument("--jmh")
    p.add_argument("--jmh-log", help="JMH's console output, for the '# extra MiB per call (peak) row=..' lines")
    p.add_argument("--torch")
    p.add_argument("--torch-label", default="PyTorch")
    a = p.parse_args()
    cli = {r["id"]: r for r in load_lines(a.cli)}
    jmh = {}
    if a.jmh:
        for r in json.load(open(a.jmh)):
            row = r["params"]["row"]
            jmh[row] = {"ms": r["primaryMetric"]["score"], "mib": None}
    if a.jmh_log:
        for line in open(a.jmh_log):
            if line.startswith("# extra MiB per call (peak) row="):
                row, _, mib = line.split("row=", 1)[1].partition(":")
                if row in jmh:
                    jmh[row]["mib"] = float(mib)
    torch = {}
    for r in load_lines(a.torch):
        torch.setdefault(r["id"], {})[r["impl"]] = r
    head = ["row", "layer", "B", "K", "hyperparameters", "CLI median ms", "CLI extra MiB"]
    if jmh:
        head += ["JMH ms/op", "JMH extra MiB"]
    if torch:
        head += [a.torch_label + " folded ms", a.torch_label + " Opacus ms", "einsum4j / best " + a.torch_label]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for rid, r in cli.items():
        if r.get("failed"):
            print(f"| {rid} | failed |")
            continue
        ms = r["median_ns"] / 1e6
        cells = [rid, r["layer"], str(r["B"]), str(r["K"]), r["hyperparameters"], f"{ms:.1f}",
                 f"{r['extra_bytes'] / 2**20:.1f}"]
        if jmh:
            j = jmh.get(rid)
            cells += [f"{j['ms']:.1f}" if j else "", f"{j['mib']:.1f}" if j and j["mib"] is not None else ""]
        if torch:
            t = torch.get(rid[:3], {})
            f = t.get("folded", {}).get("median_ms")
            o = t.get("opacus", {}).get("median_ms")
            best = min([x for x in (f, o) if x is not None], default=None)
            cells += [f"{f:.1f}" if f is not None else "", f"{o:.1f}" if o is not None else "",
                      f"{ms / best:.2f}" if best else ""]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
