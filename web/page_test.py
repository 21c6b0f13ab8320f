#!/usr/bin/env python3
"""The web page in headless Chromium: every lesson at a step, in one language, in one browser.

Serves the page folder on 127.0.0.1, drives one Chromium over the DevTools protocol and, for
each lesson, opens index.html?lesson=GROUP/NAME&step=N&lang=LANG, waits for the app to show
that step in that language (the page's #narration element and <html lang>), takes a
screenshot and checks: the narration is the lesson's text for that step, the title is the
lesson's title, the picture is not blank (brightness spread and distinct colours), and no
console error, uncaught exception or failed request happened. Exit 0 when every lesson passes.

With --download KIND (pcapng, pcap, svg, eml ...) each lesson's URL also asks for that export
(&export=KIND): the file must arrive as a browser download, and with --native MAILSIM it must be
byte-identical to what the native `mailsim export` writes for the same lesson.

Usage: page_test.py --page DIR --lang en|ja --scenarios DIR --out DIR [--chromium chromium]
                    [--only GROUP/NAME] [--timing] [--download KIND [--native MAILSIM]]
"""
import argparse
import base64
import functools
import http.server
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import websocket  # python3-websocket
from PIL import Image, ImageStat  # python3-pil

WIDTH, HEIGHT = 1280, 720
READY_TIMEOUT = 60.0  # seconds of wall time for one lesson to show (a slow, shared CI machine)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".wasm": "application/wasm",
                      ".js": "text/javascript", ".data": "application/octet-stream"}

    def log_message(self, *args):
        pass


def serve(folder):
    handler = functools.partial(QuietHandler, directory=folder)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class Browser:
    """One headless Chromium and its first tab, over the DevTools protocol."""

    def __init__(self, chromium, profile):
        args = [chromium, "--headless=new", "--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-extensions", "--no-first-run", "--no-default-browser-check",
                "--metrics-recording-only", "--mute-audio", "--hide-scrollbars",
                f"--user-data-dir={profile}", f"--window-size={WIDTH},{HEIGHT}",
                "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "about:blank"]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = os.path.join(profile, "DevToolsActivePort")
        deadline = time.time() + 30
        while not os.path.exists(port_file) or os.path.getsize(port_file) == 0:
            if time.time() > deadline or self.proc.poll() is not None:
                raise RuntimeError("Chromium did not start (no DevToolsActivePort)")
            time.sleep(0.1)
        port = int(open(port_file).read().split()[0])
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10))
        page = next(t for t in targets if t.get("type") == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True)
        self.next_id = 0
        self.problems = []  # console errors, exceptions, failed requests since the last take_problems()
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")
        self.call("Emulation.setDeviceMetricsOverride", width=WIDTH, height=HEIGHT, deviceScaleFactor=1, mobile=False)

    def _event(self, msg):
        method = msg.get("method", "")
        p = msg.get("params", {})
        if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
            self.problems.append("console error: " + text)
        elif method == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            self.problems.append("exception: " + d.get("exception", {}).get("description", d.get("text", "")))
        elif method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            e = p["entry"]
            self.problems.append(f"log error: {e.get('text', '')} {e.get('url', '')}")
        elif method == "Network.loadingFailed" and not p.get("canceled"):
            self.problems.append("request failed: " + p.get("errorText", ""))
        elif method == "Network.responseReceived" and p.get("response", {}).get("status", 200) >= 400:
            self.problems.append(f"HTTP {p['response']['status']}: {p['response'].get('url', '')}")

    def call(self, method, **params):
        self.next_id += 1
        mid = self.next_id
        self.ws.send(json.dumps({"id": mid, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == mid:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self._event(msg)

    def evaluate(self, expression):
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expression}: {r['exceptionDetails']}")
        return r.get("result", {}).get("value")

    def take_problems(self):
        p, self.problems = self.problems, []
        return p

    def close(self):
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def lessons(scenarios):
    out = []
    for group in sorted(os.listdir(scenarios)):
        folder = os.path.join(scenarios, group)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if name.endswith(".json") and not name.endswith(".schema.json"):
                with open(os.path.join(folder, name), encoding="utf-8") as f:
                    out.append((f"{group}/{name[:-5]}", json.load(f)))
    return out


def not_blank(png):
    """The screenshot shows a drawn app: a brightness spread and many distinct colours."""
    img = Image.open(io.BytesIO(png)).convert("RGB")
    grey = img.convert("L")
    spread = ImageStat.Stat(grey).stddev[0]
    colours = len(img.getcolors(maxcolors=1 << 20) or [])
    why = []
    if img.size != (WIDTH, HEIGHT):
        why.append(f"size {img.size}, expected {(WIDTH, HEIGHT)}")
    if spread < 10:
        why.append(f"brightness spread {spread:.1f} < 10")
    if colours < 64:
        why.append(f"{colours} colours < 64")
    return why, spread, colours


EXPORT_SUFFIX = {"pcapng": ".pcapng", "pcap": ".pcap", "svg": "-sequence.svg"}
NATIVE_OPTION = {"pcapng": "--pcapng", "pcap": "--pcap", "svg": "--svg"}


def check_download(folder, name, kind, native, out):
    """What is wrong with the download of `name`'s export (an empty list when nothing)."""
    file = os.path.join(folder, name.split("/")[-1] + EXPORT_SUFFIX[kind])
    start = time.time()
    while time.time() - start < READY_TIMEOUT:
        if os.path.exists(file) and not any(f.endswith(".crdownload") for f in os.listdir(folder)):
            break
        time.sleep(0.1)
    else:
        return [f"no download {os.path.basename(file)} arrived (in {folder}: {sorted(os.listdir(folder))})"]
    with open(file, "rb") as f:
        got = f.read()
    os.remove(file)
    if not got:
        return [f"the download {os.path.basename(file)} is empty"]
    if not native:
        return []
    want_file = os.path.join(out, "native-" + os.path.basename(file))
    run = subprocess.run([native, "export", name, NATIVE_OPTION[kind], want_file], capture_output=True, text=True)
    if run.returncode not in (0, 1):  # 1: an expectation of the lesson failed, the files are written
        return [f"native mailsim export failed ({run.returncode}): {run.stderr.strip()}"]
    with open(want_file, "rb") as f:
        want = f.read()
    if got != want:
        return [f"the download ({len(got)} bytes) differs from the native export ({len(want)} bytes, {want_file})"]
    return []


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--page", required=True)
    ap.add_argument("--lang", required=True, choices=["en", "ja"])
    ap.add_argument("--scenarios", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--chromium", default="chromium")
    ap.add_argument("--only", help="one lesson (GROUP/NAME)")
    ap.add_argument("--timing", action="store_true", help="print each lesson's time to first frame")
    ap.add_argument("--download", choices=["pcapng", "pcap", "svg"],
                    help="also press this export button and check the download")
    ap.add_argument("--native", help="with --download: the native mailsim, whose export must be the same bytes")
    a = ap.parse_args()
    if not os.path.exists(os.path.join(a.page, "index.html")):
        print(f"page_test: {a.page}/index.html is missing: build the mailsim-web target", file=sys.stderr)
        return 2
    chromium = shutil.which(a.chromium)
    if not chromium:
        print(f"page_test: {a.chromium} not found (scripts/install-deps.sh --web installs it)", file=sys.stderr)
        return 2
    os.makedirs(a.out, exist_ok=True)
    server = serve(a.page)
    base = f"http://127.0.0.1:{server.server_address[1]}/index.html"
    profile = tempfile.mkdtemp(prefix="mailsim-chromium-")
    failures = []
    browser = None
    try:
        browser = Browser(chromium, profile)
        downloads = os.path.join(profile, "downloads")
        if a.download:
            os.makedirs(downloads)
            browser.call("Page.setDownloadBehavior", behavior="allow", downloadPath=downloads)
        todo = [(n, s) for n, s in lessons(a.scenarios) if not a.only or n == a.only]
        for name, scenario in todo:
            steps = scenario.get("narration", [])
            step = (len(steps) + 1) // 2  # the middle step (1-based); 0: none
            url = f"{base}?lesson={name}&lang={a.lang}" + (f"&step={step}" if step else "")
            if a.download:
                url += f"&export={a.download}"
            want_text = steps[step - 1].get(a.lang, "") if step else ""
            want_title = scenario.get("title", {}).get(a.lang, "")
            browser.take_problems()
            start = time.time()
            browser.call("Page.navigate", url=url)
            shown = None
            while time.time() - start < READY_TIMEOUT:
                # (null while the new document is still loading)
                shown = browser.evaluate(
                    "(() => { try { return {ready: document.body.dataset.ready || '',"
                    " failed: document.body.dataset.failed || '', lang: document.documentElement.lang,"
                    " text: document.getElementById('narration').textContent, title: document.title,"
                    " status: document.getElementById('status').textContent}; } catch (e) { return null; } })()")
                if shown and (shown["failed"] or (shown["ready"] and shown["lang"] == a.lang
                                                  and shown["text"] == want_text)):
                    break
                time.sleep(0.05)
            # Two more animation frames: what the page says is on the canvas.
            browser.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(1))))")
            first_frame = time.time() - start
            png = base64.b64decode(browser.call("Page.captureScreenshot", format="png")["data"])
            shot = os.path.join(a.out, name.replace("/", "_") + f"-step{step}-{a.lang}.png")
            with open(shot, "wb") as f:
                f.write(png)
            why, spread, colours = not_blank(png)
            if not shown or shown["failed"]:
                why.append("the page failed: " + (shown or {}).get("status", "no answer"))
            else:
                if shown["lang"] != a.lang:
                    why.append(f"shown in {shown['lang'] or 'no language'}, not {a.lang}")
                if shown["text"] != want_text:
                    why.append(f"narration {shown['text']!r}, expected {want_text!r}")
                if want_title and want_title not in shown["title"]:
                    why.append(f"title {shown['title']!r} lacks {want_title!r}")
            if a.download:
                why += check_download(downloads, name, a.download, a.native, a.out)
            why += browser.take_problems()
            timing = f" first frame {first_frame:.2f}s" if a.timing else ""
            print(f"{'ok  ' if not why else 'FAIL'} {name} step {step} ({a.lang}): spread {spread:.0f},"
                  f" {colours} colours{timing} -> {shot}")
            for w in why:
                print(f"     {w}")
            if why:
                failures.append(name)
    finally:
        if browser:
            browser.close()
        server.shutdown()
        shutil.rmtree(profile, ignore_errors=True)
    if failures:
        print(f"page_test: {len(failures)} lesson(s) failed in {a.lang}: {' '.join(failures)}", file=sys.stderr)
        return 1
    print(f"page_test: every lesson shows in {a.lang}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
