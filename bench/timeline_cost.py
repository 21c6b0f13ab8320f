#!/usr/bin/env python3
"""Does a long timeline cost more per simulated second? (issue 13; measures, asserts nothing)

Two questions, each answered by differences of CPU time so that loading and setting up a world
cancel out:

1. Pending actions. The 10,000- and 100,000-journey worlds of bench/journeys.py (20,000 and
   200,000 timeline actions) start with the same journeys (the same table of senders and
   recipients), so up to --window-end they simulate exactly the same thing; the only difference
   is how many actions are still waiting. CPU(--until END) - CPU(--until START) is the cost of
   the same simulated window in both.
2. Elapsed simulated time. In one world (the 10,000-journey one), the same length of window
   early and late in the run: if the later costs more, the cost grows with what the run has
   accumulated, not with the timeline.

  python3 bench/timeline_cost.py --mailsim build/cli/mailsim --rounds 3
"""

import argparse
import json
import pathlib
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import journeys  # noqa: E402


def cpu_of(mailsim, world, until):
    """(user + sys CPU seconds, peak RSS MiB) of `mailsim run WORLD --until UNTIL`."""
    wall, cpu, rss, rc = journeys.measured([mailsim, "run", str(world), "--until", until])
    if rc not in (0, 1):  # 1: expectations (none here) or stopped early; 2, 3: a real problem
        raise RuntimeError(f"mailsim exited with {rc} on {world} --until {until}")
    return cpu, rss


def med(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mailsim", default="build/cli/mailsim")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--window", default="20,120", help="START,END seconds of the window compared between worlds")
    ap.add_argument("--late", default="500,600", help="START,END seconds of the late window of the 10k world")
    a = ap.parse_args()
    w0, w1 = (int(x) for x in a.window.split(","))
    l0, l1 = (int(x) for x in a.late.split(","))

    with tempfile.TemporaryDirectory(prefix="mailsim-timeline-") as tmp:
        worlds = {}
        for n in (10_000, 100_000):
            worlds[n] = pathlib.Path(tmp) / f"j{n}.json"
            worlds[n].write_text(json.dumps(journeys.journeys_world(n)))
        rows = []
        for _ in range(a.rounds):
            r = {}
            for n in (10_000, 100_000):
                c0, rss0 = cpu_of(a.mailsim, worlds[n], f"{w0}s")
                c1, _ = cpu_of(a.mailsim, worlds[n], f"{w1}s")
                r[n] = (c1 - c0, c0, rss0)
            e0, _ = cpu_of(a.mailsim, worlds[10_000], f"{l0}s")
            e1, _ = cpu_of(a.mailsim, worlds[10_000], f"{l1}s")
            r["late"] = e1 - e0
            rows.append(r)

    print(f"{a.rounds} round(s), medians; CPU = user + sys of the whole process")
    print()
    print("| world | timeline actions | CPU s to reach the window (load + setup + first journeys) | peak RSS then | "
          f"CPU s of the window {w0}-{w1} s |")
    print("|---|---|---|---|---|")
    for n in (10_000, 100_000):
        print(f"| {n:,} journeys | {2 * n:,} | {med([r[n][1] for r in rows]):.2f} | {med([r[n][2] for r in rows]):.0f} MiB | "
              f"{med([r[n][0] for r in rows]):.2f} |")
    print()
    early = med([r[10_000][0] for r in rows])
    late = med([r["late"] for r in rows])
    print(f"10,000 journeys: window {w0}-{w1} s {early:.2f} CPU s, window {l0}-{l1} s {late:.2f} CPU s "
          f"(x{late / early:.2f} for the same length of simulated time)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
