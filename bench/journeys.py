#!/usr/bin/env python3
"""Full mail journeys per second, side by side with Postfix's smtp-source in the same run.

A journey is what a letter does in the lessons, end to end: a device submits on 587 with
STARTTLS and AUTH, its provider's server looks up the recipient's MX and A records, relays
on port 25, the recipient's server delivers it, and the recipient's device fetches it with
POP3 or IMAP. This script generates worlds of N journeys (200 devices in 5 domains by
default), runs `mailsim run` on them with and without `--trace`, and in the same run
times Postfix's `smtp-source -s 10` against `smtp-sink` on 127.0.0.1, so the result is a
ratio that can be compared between machines. It measures; it asserts nothing.

Postfix is not installed: its Debian package is fetched with `apt-get download` and
unpacked with `dpkg -x` into a cache folder, and only smtp-source and smtp-sink are run
(as `nobody` when root), listening on 127.0.0.1.

  python3 bench/journeys.py --mailsim build/cli/mailsim --sizes 1000,10000
  python3 bench/journeys.py --generate 1000 world.json     # only write a world
"""

import argparse
import json
import os
import pathlib
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time

DOMAINS_DEFAULT = 5
DEVICES_DEFAULT = 200
# Virtual seconds between two journeys that start from the same device: long enough that
# a device's check for new mail has finished before its next one is due.
DEVICE_GAP_S = 12.0
# Rows of the (sender, recipient) table that the journeys cycle through.
ROWS_MAX = 1000


def names(en, ja):
    return {"en": en, "ja": ja}


def journeys_world(n, devices=DEVICES_DEFAULT, domains=DOMAINS_DEFAULT, seed=1, full=False):
    """The scenario (a dict) of n full journeys."""
    rng = random.Random(seed)
    isps = 4
    networks = [{"id": "dns-net", "kind": "datacenter", "name": names("DNS provider", "DNS事業者"),
                 "cidr": "198.51.100.0/28", "latency": "1ms"}]
    for k in range(domains):
        networks.append({"id": f"prov{k}", "kind": "datacenter",
                         "name": names(f"d{k}.example's provider", f"d{k}.exampleの事業者"),
                         "cidr": f"203.0.113.{16 * k}/28", "latency": "1ms"})
    for i in range(isps):
        networks.append({"id": f"isp{i}", "kind": "access", "name": names(f"ISP {i}", f"プロバイダ{i}"),
                         "cidr": f"10.{i}.0.0/16", "dynamic_pool": f"10.{i}.0.0/16", "latency": "5ms"})
    zones, zone_names = [], []
    for k in range(domains):
        dom = f"d{k}.example"
        zone_names.append(dom)
        zones.append({"origin": dom, "records": [f"{dom}. 3600 IN MX 10 mail.{dom}.",
                                                 f"mail.{dom}. 3600 IN A 203.0.113.{16 * k + 2}"]})
    users = [[] for _ in range(domains)]
    for d in range(devices):
        users[d % domains].append({"name": f"u{d}", "password": "pw"})
    hosts = [{"id": "dns", "kind": "dns_server", "name": names("DNS server", "DNSサーバー"),
              "network": "dns-net", "ip": "198.51.100.2",
              "dns_server": {"zones": zone_names, "recursive": True}}]
    for k in range(domains):
        dom = f"d{k}.example"
        hosts.append({"id": f"mail{k}", "kind": "mail_server", "name": names("mail." + dom, "mail." + dom),
                      "network": f"prov{k}", "ip": f"203.0.113.{16 * k + 2}",
                      "mail_server": {"hostname": "mail." + dom, "domains": [dom], "users": users[k],
                                      "ports": [{"port": 25, "role": "mx"}, {"port": 587, "role": "submission"},
                                                {"port": 110, "role": "pop3"}, {"port": 143, "role": "imap"}]}})
    for d in range(devices):
        k = d % domains
        i = d % isps
        n_in_isp = d // isps
        incoming = ({"protocol": "pop3", "server": f"mail{k}", "port": 110} if d % 2 == 0 else
                    {"protocol": "imap", "server": f"mail{k}", "port": 143})
        hosts.append({"id": f"dev{d}", "kind": "pc" if d % 3 else "phone",
                      "name": names(f"Device {d}", f"端末{d}"), "network": f"isp{i}",
                      "ip": f"10.{i}.{1 + n_in_isp // 250}.{1 + n_in_isp % 250}",
                      "mail_client": {"accounts": [{
                          "address": f"u{d}@d{k}.example", "password": "pw",
                          "smtp": {"server": f"mail{k}", "port": 587, "auth": True, "tls": "starttls"},
                          "incoming": incoming}]}})
    # Journeys start evenly over time so that each device sends about once per DEVICE_GAP_S;
    # the recipient checks its mail 8 s after the send. Who writes to whom comes from a table of
    # random (sender, recipient) pairs that journey m takes row m % rows of, so that the world is
    # one "repeat" action (docs/scenarios.md, "Repeating actions") whatever n is: a 100,000-journey
    # world is a small file. `full` writes the same timeline out action by action instead (the
    # loader expands a repeat into exactly that; tests compare the two traces).
    every_us = round(DEVICE_GAP_S * 1e6 / devices)
    rows = []
    for _ in range(min(n, ROWS_MAX)):
        frm = rng.randrange(devices)
        to = rng.randrange(devices)
        while to % domains == frm % domains:
            to = rng.randrange(devices)
        rows.append({"from": f"dev{frm}", "to": f"u{to}@d{to % domains}.example", "on": f"dev{to}"})
    pattern = [{"after": "0s", "do": "send", "from": "{from}", "to": "{to}", "subject": "Journey {i}",
                "body": "Hello,\nthis letter makes the whole journey.\n"},
               {"after": "8s", "do": "check_mail", "on": "{on}"}]
    if full:
        timeline = []
        for m in range(n):
            row = rows[m % len(rows)]
            at_us = 1_000_000 + m * every_us
            timeline.append({"at": f"{at_us}us", "do": "send", "from": row["from"], "to": row["to"],
                             "subject": f"Journey {m}", "body": pattern[0]["body"]})
            timeline.append({"at": f"{at_us + 8_000_000}us", "do": "check_mail", "on": row["on"]})
    else:
        timeline = [{"at": "1s", "do": "repeat", "count": n, "every": f"{every_us}us", "with": rows,
                     "actions": pattern}]
    return {"mailsim": 1,
            "title": names(f"{n} full journeys (benchmark)", f"{n}通の旅（ベンチマーク）"),
            "description": names(f"{devices} devices in {domains} domains", f"{domains}ドメインに端末{devices}台"),
            "seed": seed,
            # The run budget's ceilings (docs/guarantees.md): a big world is meant to be big.
            # run_for: the default hour, or longer when the journeys take longer (100,000 take 100 min).
            "settings": {"max_events": 100_000_000, "max_records": 50_000_000, "max_trace_mb": 4096,
                         "run_for": f"{max(3600, (1_000_000 + n * every_us) // 1_000_000 + 600)}s"},
            "networks": networks, "internet": {"latency": "20ms"},
            "dns": {"zones": zones}, "hosts": hosts, "timeline": timeline, "expectations": []}


def measured(cmd, env=None):
    """Runs cmd in a child and returns (wall s, cpu s, peak RSS MiB, exit code)."""
    probe = ("import resource,subprocess,sys,time,json;t=time.monotonic();"
             "rc=subprocess.call(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL);"
             "w=time.monotonic()-t;r=resource.getrusage(resource.RUSAGE_CHILDREN);"
             "print(json.dumps([w,r.ru_utime+r.ru_stime,r.ru_maxrss/1024,rc]))")
    out = subprocess.run([sys.executable, "-c", probe] + cmd, capture_output=True, text=True, check=True, env=env)
    return json.loads(out.stdout)


def postfix_tools(cache):
    """smtp-source and smtp-sink from Debian's postfix package, unpacked in cache."""
    root = cache / "root"
    src = root / "usr/sbin/smtp-source"
    if not src.exists():
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run(["apt-get", "download", "postfix"], cwd=cache, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deb = sorted(cache.glob("postfix_*.deb"))[-1]
        subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True)
    env = dict(os.environ, LD_LIBRARY_PATH=str(root / "usr/lib/postfix"))
    return src, root / "usr/sbin/smtp-sink", env


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_cpu_s(pid):
    """CPU seconds (user + system) a running process has used so far, from /proc."""
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def smtp_source_rate(cache, messages):
    """Messages per wall second and per CPU second (client + server) of smtp-source -> smtp-sink."""
    src, sink, env = postfix_tools(cache)
    port = free_port()
    user = ["-u", "nobody"] if os.geteuid() == 0 else []
    sink_proc = subprocess.Popen([str(sink)] + user + [f"127.0.0.1:{port}", "256"], env=env)
    try:
        for _ in range(50):  # wait until it listens (bounded)
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        sink_cpu = proc_cpu_s(sink_proc.pid)
        wall, cpu, _, rc = measured([str(src), "-s", "10", "-m", str(messages), f"127.0.0.1:{port}"], env=env)
        if rc != 0:
            raise RuntimeError(f"smtp-source exited with {rc}")
        cpu += proc_cpu_s(sink_proc.pid) - sink_cpu
        return messages / wall, messages / cpu
    finally:
        sink_proc.terminate()
        sink_proc.wait(timeout=10)


def smoke(mailsim, n):
    """Proves the generated world still makes n whole journeys (measures nothing)."""
    with tempfile.TemporaryDirectory(prefix="mailsim-journeys-") as tmp:
        world = pathlib.Path(tmp) / "world.json"
        trace = pathlib.Path(tmp) / "trace.jsonl"
        world.write_text(json.dumps(journeys_world(n, devices=20)))
        subprocess.run([mailsim, "run", str(world), "--json", "--trace", str(trace)], check=True,
                       stdout=subprocess.DEVNULL)
        delivered = fetched = 0
        with trace.open() as f:
            next(f)  # meta
            for line in f:
                r = json.loads(line)
                if r["kind"] == "mail" and r.get("event") == "delivered":
                    delivered += 1
                elif r["kind"] == "mailbox" and r.get("event") in ("device-downloaded", "device-synced"):
                    fetched += 1
    print(f"journeys: {n}, delivered: {delivered}, fetched on a device: {fetched}")
    return 0 if delivered == n and fetched == n else 1


def same(mailsim, n):
    """Proves the world written as one repeat and written out in full give the same trace, byte
    for byte (each file has the same name, which the trace's first line carries)."""
    traces = []
    with tempfile.TemporaryDirectory(prefix="mailsim-journeys-") as tmp:
        for full in (False, True):
            d = pathlib.Path(tmp) / ("full" if full else "repeat")
            d.mkdir()
            world = d / "world.json"
            world.write_text(json.dumps(journeys_world(n, devices=20, full=full)))
            trace = d / "trace.jsonl"
            subprocess.run([mailsim, "run", str(world), "--json", "--trace", str(trace)], check=True,
                           stdout=subprocess.DEVNULL)
            traces.append(trace.read_bytes())
    print(f"journeys: {n}, trace bytes: {len(traces[0])} (repeat) and {len(traces[1])} (written out), "
          f"{'the same' if traces[0] == traces[1] else 'DIFFERENT'}")
    return 0 if traces[0] == traces[1] and len(traces[0]) > 0 else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mailsim", default="build/cli/mailsim")
    ap.add_argument("--sizes", default="1000,10000", help="journeys per world, comma-separated")
    ap.add_argument("--rounds", type=int, default=3, help="rounds; medians are reported")
    ap.add_argument("--smtp-source-messages", type=int, default=20000)
    ap.add_argument("--cache", default=os.path.expanduser("~/.cache/mailsim-bench/postfix"))
    ap.add_argument("--generate", nargs=2, metavar=("N", "FILE"), help="only write a world of N journeys")
    ap.add_argument("--full", action="store_true",
                    help="with --generate: write every action out instead of one \"repeat\" (the same timeline)")
    ap.add_argument("--smoke", type=int, metavar="N",
                    help="run a world of N journeys once and check every letter was delivered and fetched")
    ap.add_argument("--same", type=int, metavar="N",
                    help="run a world of N journeys as one repeat and written out, and compare the traces")
    a = ap.parse_args()

    if a.same:
        return same(a.mailsim, a.same)
    if a.smoke:
        return smoke(a.mailsim, a.smoke)

    if a.generate:
        pathlib.Path(a.generate[1]).write_text(json.dumps(journeys_world(int(a.generate[0]), full=a.full)))
        return 0

    sizes = [int(s) for s in a.sizes.split(",")]
    work = pathlib.Path(tempfile.mkdtemp(prefix="mailsim-journeys-"))
    rows = []
    try:
        for n in sizes:
            world = work / f"journeys-{n}.json"
            world.write_text(json.dumps(journeys_world(n)))
            size_mb = world.stat().st_size / 2**20
            results = {"plain": [], "trace": [], "ref": [], "trace_bytes": 0}
            for _ in range(a.rounds):
                results["ref"].append(smtp_source_rate(pathlib.Path(a.cache), a.smtp_source_messages))
                results["plain"].append(measured([a.mailsim, "run", str(world), "--json"]))
                tr = work / "trace.jsonl"
                results["trace"].append(measured([a.mailsim, "run", str(world), "--json", "--trace", str(tr)]))
                results["trace_bytes"] = tr.stat().st_size if tr.exists() else 0
                if tr.exists():
                    tr.unlink()
            rows.append((n, size_mb, results))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    def med(xs):
        xs = sorted(xs)
        return xs[len(xs) // 2]

    print(f"machine: {os.cpu_count()} cores; {a.rounds} round(s), medians; reference: smtp-source -s 10 "
          f"-m {a.smtp_source_messages} -> smtp-sink on 127.0.0.1")
    print("Rates per CPU second (mailsim: the run; reference: smtp-source + smtp-sink together) and per wall second.")
    print()
    print("| journeys | world MB | mode | exit | journeys/CPU s | ref msg/CPU s | ratio (CPU) | journeys/wall s | "
          "ref msg/wall s | ratio (wall) | peak RSS MiB | KB RSS/journey | trace KB/journey |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for n, size_mb, r in rows:
        ref_wall = med([x[0] for x in r["ref"]])
        ref_cpu = med([x[1] for x in r["ref"]])
        for mode in ("plain", "trace"):
            wall = med([x[0] for x in r[mode]])
            cpu = med([x[1] for x in r[mode]])
            rss = med([x[2] for x in r[mode]])
            rc = r[mode][-1][3]
            rate_cpu = n / cpu if cpu > 0 else 0
            rate_wall = n / wall if wall > 0 else 0
            tkb = f"{r['trace_bytes'] / n / 1024:.1f}" if mode == "trace" else ""
            print(f"| {n} | {size_mb:.1f} | {'--trace' if mode == 'trace' else 'no trace'} | {rc} | {rate_cpu:.0f} | "
                  f"{ref_cpu:.0f} | {rate_cpu / ref_cpu:.2f}x | {rate_wall:.0f} | {ref_wall:.0f} | "
                  f"{rate_wall / ref_wall:.2f}x | {rss:.0f} | {rss * 1024 / n:.0f} | {tkb} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
