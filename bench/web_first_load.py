#!/usr/bin/env python3
"""Benchmark (not a test): the web page's first load and its time to the first frame.

Sizes: every file of the page folder raw and compressed (gzip -9, what a web server sends
with compression on); the first load is index.html + mailsim-web.js/.wasm/.data; the
Japanese font is fetched only when Japanese is shown. Time: headless Chromium opens the page
on 127.0.0.1 RUNS times (a fresh profile, so nothing is cached) and the page reports when the
app drew its first frame in the language asked for (performance.now(), data-lang-frame-ms;
for Japanese that includes fetching the font).

Usage: bench/web_first_load.py [--page build-web/page] [--runs 5] [--lesson mail/whole-journey]
"""
import argparse
import gzip
import os
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "web"))
import page_test  # noqa: E402  (web/page_test.py: the server and the DevTools client)

FIRST_LOAD = ["index.html", "mailsim-web.js", "mailsim-web.wasm", "mailsim-web.data"]
LAZY = ["fonts/VL-Gothic-Regular.ttf"]


def sizes(page):
    rows = []
    for name in FIRST_LOAD + LAZY:
        path = os.path.join(page, name)
        data = open(path, "rb").read()
        rows.append((name, len(data), len(gzip.compress(data, 9))))
    return rows


def first_frames(page, runs, lesson, lang):
    server = page_test.serve(page)
    base = f"http://127.0.0.1:{server.server_address[1]}/index.html?lesson={lesson}&lang={lang}"
    times = []
    try:
        for _ in range(runs):
            profile = tempfile.mkdtemp(prefix="mailsim-bench-")
            browser = page_test.Browser(shutil.which("chromium") or "chromium", profile)
            try:
                browser.call("Page.navigate", url=base)
                deadline = time.time() + 60
                ms = None
                while time.time() < deadline:
                    # Polled from the moment of navigation: the body may not exist yet.
                    ms = browser.evaluate("(document.body && document.body.dataset.langFrameMs) || ''")
                    if ms:
                        break
                    time.sleep(0.02)
                if not ms:
                    raise RuntimeError("no first frame within 60 s")
                times.append(int(ms) / 1000.0)
            finally:
                browser.close()
                shutil.rmtree(profile, ignore_errors=True)
    finally:
        server.shutdown()
    return times


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--page", default="build-web/page")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--lesson", default="mail/whole-journey")
    a = ap.parse_args()
    total_raw = total_gz = 0
    print(f"{'file':32} {'bytes':>12} {'gzip -9':>12}")
    for name, raw, gz in sizes(a.page):
        lazy = name in LAZY
        if not lazy:
            total_raw += raw
            total_gz += gz
        print(f"{name:32} {raw:12,} {gz:12,}{'  (fetched for Japanese only)' if lazy else ''}")
    print(f"{'first load':32} {total_raw:12,} {total_gz:12,}")
    for lang in ("en", "ja"):
        t = first_frames(a.page, a.runs, a.lesson, lang)
        print(f"time to first frame ({lang}, {a.lesson}, {a.runs} cold loads): median {statistics.median(t):.2f} s,"
              f" min {min(t):.2f} s, max {max(t):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
