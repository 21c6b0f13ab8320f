#!/usr/bin/env python3
# Every built-in lesson is complete as issue #6 defines a lesson: narration steps, each with
# English, Japanese and a post-office analogy key; a description in both languages that
# ends with what to notice and a question for the class.
# usage: lessons_complete.py SCENARIOS_DIR
import glob
import json
import os
import sys


def problems_of(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    out = []
    steps = doc.get("narration", [])
    if len(steps) < 3:
        out.append(f"has {len(steps)} narration step(s); a lesson tells its story in at least 3")
    for i, step in enumerate(steps):
        for key in ("en", "ja", "analogy"):
            if not step.get(key):
                out.append(f"/narration/{i} has no \"{key}\"")
    desc = doc.get("description", {})
    en, ja = desc.get("en", ""), desc.get("ja", "")
    if "What to notice" not in en or "Question" not in en:
        out.append("the English description lacks \"What to notice\" or \"Question\"")
    if "注目点" not in ja or "質問" not in ja:
        out.append("the Japanese description lacks 注目点 or 質問")
    return out


def main(argv):
    if len(argv) != 2:
        print(__doc__ or "usage: lessons_complete.py SCENARIOS_DIR", file=sys.stderr)
        return 2
    files = sorted(f for f in glob.glob(os.path.join(argv[1], "*", "*.json")))
    if not files:
        print(f"no lessons under {argv[1]}", file=sys.stderr)
        return 1
    failed = 0
    for f in files:
        for p in problems_of(f):
            print(f"{os.path.relpath(f, argv[1])}: {p}")
            failed += 1
    print(f"{len(files)} lesson(s) checked, {failed} problem(s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
