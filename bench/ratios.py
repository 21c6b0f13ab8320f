#!/usr/bin/env python3
"""Turns mailsim_bench or mailsim_gui_bench JSON output (with --benchmark_repetitions) into the
Markdown tables of docs/performance.md: the median of each benchmark and its ratio to the
reference measured in the same run.

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


# The app's benchmarks (bench/gui_frame_bench.cpp): CPU time per item, compared with a fixed
# ImGui workload (frames), the world's bare record copy (loading) or the lesson (seeks).
GUI_AIMS_MS = {"Frame": 4.0, "PlayFrame": 4.0, "SeekFrame": 50.0, "Seek": 50.0}


def gui_reference_for(name):
    parts = name.split("/")
    kind = parts[0]
    if kind in ("Frame", "SeekFrame", "PlayFrame"):
        return "RefImGuiFrame", f"{kind}/lesson/{parts[2]}"
    if kind == "Seek":
        return None, "Seek/lesson"
    if kind.startswith("Load"):
        return f"RefCopyRecords/{parts[1]}", f"{kind}/lesson"
    return None, None


def cpu_ms(b):
    scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[b.get("time_unit", "ns")]
    return b["cpu_time"] * scale


def gui_table(runs):
    print("| benchmark | median CPU time | records | x reference | reference | x lesson | aim |")
    print("|---|---|---|---|---|---|---|")
    for name, b in runs.items():
        ms = cpu_ms(b)
        ref, lesson = gui_reference_for(name)
        x_ref = f"{ms / cpu_ms(runs[ref]):,.3g}x" if ref and ref in runs and name != ref else ""
        x_lesson = f"{ms / cpu_ms(runs[lesson]):,.3g}x" if lesson and lesson in runs and name != lesson else ""
        aim = GUI_AIMS_MS.get(name.split("/")[0])
        aim_text = f"{'under' if ms <= aim else 'OVER'} {aim:g} ms" if aim and "/lesson" not in name else ""
        records = f"{b['records']:,.0f}" if "records" in b else ""
        print(f"| {name} | {ms:,.3g} ms | {records} | {x_ref} | {ref or ''} | {x_lesson} | {aim_text} |")


def main():
    context, runs = medians(sys.argv[1])
    print(f"<!-- {context.get('date', '')}, load average {context.get('load_avg', '?')} -->")
    if any(n.startswith(("RefImGuiFrame", "Frame/", "Seek/")) for n in runs):
        gui_table(runs)
        return
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
