#!/usr/bin/env python3
"""Turns mailsim_bench JSON output (with --benchmark_repetitions) into the Markdown table of
docs/performance.md: the median of each benchmark and its ratio to the reference measured in
the same run.

Usage: python3 bench/ratios.py bench.json
"""
import json
import re
import sys


def medians(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    out = {}
    for b in data["benchmarks"]:
        # With repetitions the median is an aggregate; a single run has no aggregates.
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        out[b["run_name"]] = b
    return data["context"], out


def reference_for(name):
    m = re.fullmatch(r"EventCore(InOrder|Random|CancelHalf|Chain)/(\d+)", name)
    if m:
        kind = {"InOrder": "InOrder", "Random": "Random", "CancelHalf": "Random", "Chain": "Chain"}[m[1]]
        return f"RefHeap{kind}/{m[2]}"
    m = re.fullmatch(r"TransportStream/mss:\d+/bytes:(\d+)", name)
    if m:
        return f"RefMemcpy/{m[1]}"
    if name.startswith("TransportConnections/"):
        return "RefHeapRandom/1024"
    return None


def rate(b):
    if "items_per_second" in b:
        return b["items_per_second"], "items/s"
    return b["bytes_per_second"], "bytes/s"


def human(v):
    for unit, div in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if v >= div:
            return f"{v / div:.3g} {unit}"
    return f"{v:.3g} "


def main():
    context, runs = medians(sys.argv[1])
    print(f"<!-- {context.get('date', '')}, load average {context.get('load_avg', '?')} -->")
    print("| benchmark | median rate (CPU time) | reference | ratio | extra counters |")
    print("|---|---|---|---|---|")
    for name, b in runs.items():
        value, unit = rate(b)
        ref = reference_for(name)
        ratio = ""
        if ref and ref in runs:
            rv, _ = rate(runs[ref])
            if name.startswith("TransportConnections/"):
                ratio = f"1 connection = {rv / value:,.0f} heap push+pop"
            else:
                ratio = f"{value / rv:.3g}x"
        extras = ", ".join(f"{k}={b[k]:,.0f}" for k in ("records_per_MB", "events_per_MB", "records_per_conn") if k in b)
        print(f"| {name} | {human(value)}{unit} | {ref or '(reference)'} | {ratio} | {extras} |")


if __name__ == "__main__":
    main()
