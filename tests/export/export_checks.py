#!/usr/bin/env python3
"""Checks of `mailsim export` with the tools people open its files in.

  export_checks.py MAILSIM capture LESSON.json    tshark: no malformed packets, checksums good,
                                                  no unexpected TCP-analysis warnings, protocol
                                                  lines equal the simulator's, comments read back
  export_checks.py MAILSIM mail                   email/mailbox round trips (.eml, mbox, Maildir)
  export_checks.py MAILSIM svg                    SVG well-formed, rendered non-blank by rsvg-convert
  export_checks.py MAILSIM determinism            two exports give identical bytes
  export_checks.py MAILSIM badargs                bad arguments: exit 2, clear error, no file
  export_checks.py MAILSIM mutt                   mutt opens the mbox, the Maildir and the .eml
                                                  files and shows every message's subject
"""
import email
import email.policy
import json
import mailbox
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zlib

MAILSIM = sys.argv[1]
FAILS = []


def check(cond, what):
    if not cond:
        FAILS.append(what)
        print("FAIL:", what)
    return cond


def run(args, code=0):
    p = subprocess.run(args, capture_output=True)
    if code is not None and p.returncode != code:
        raise SystemExit(f"{' '.join(args)} exited {p.returncode}, expected {code}:\n"
                         f"{p.stdout.decode(errors='replace')}{p.stderr.decode(errors='replace')}")
    return p


def trace_of(lesson, tmp):
    path = os.path.join(tmp, "trace.jsonl")
    run([MAILSIM, "run", lesson, "--trace", path], code=None)
    with open(path, encoding="utf-8") as f:
        lines = [json.loads(l) for l in f]
    return lines[1:]


def unescape(text):
    """The trace's byte escapes (docs/trace.md) back to bytes."""
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            n = text[i + 1]
            if n == "r": out += b"\r"; i += 2; continue
            if n == "n": out += b"\n"; i += 2; continue
            if n == "t": out += b"\t"; i += 2; continue
            if n == "\\": out += b"\\"; i += 2; continue
            if n == "x": out.append(int(text[i + 2:i + 4], 16)); i += 4; continue
        out += c.encode("utf-8")
        i += 1
    return bytes(out)


TSHARK_OPTIONS = ["-n", "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
                  "-o", "udp.check_checksum:TRUE", "-d", "tcp.port==587,smtp", "-d", "tcp.port==2525,smtp"]


def dissect(path):
    """Every frame of a capture as tshark dissects it (its JSON tree), in one tshark run: one
    pass answers every question below, where a display filter per question cost a tshark
    start-up each (about 16 per lesson)."""
    p = run(["tshark", "-r", path, *TSHARK_OPTIONS, "-T", "json", "--no-duplicate-keys"])
    return [f["_source"]["layers"] for f in json.loads(p.stdout.decode("utf-8", errors="replace") or "[]")]


def values(node, key):
    """Every value of field `key` in a frame's tree, in tree order (tshark's field order)."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                if isinstance(v, list):
                    yield from (x for x in v if not isinstance(x, (dict, list)))
                elif not isinstance(v, dict):
                    yield v
                else:
                    yield ""  # a protocol or subtree: present
            if isinstance(v, (dict, list)):
                yield from values(v, key)
    elif isinstance(node, list):
        for x in node:
            yield from values(x, key)


def has(frame, key):
    return next(values(frame, key), None) is not None


def field(frame, key):
    """A field as `tshark -T fields -E occurrence=a` prints it: every occurrence, comma-joined."""
    return ",".join(values(frame, key))


def number(frame):
    return field(frame["frame"], "frame.number")


# ---- captures -----------------------------------------------------------------------------

def lines_in_clear(records):
    """The simulator's protocol lines that crossed the wire in clear, per connection, in order."""
    first_tls = {}
    for r in records:
        if r["kind"] == "packet" and r.get("detail", {}).get("tls") and r.get("conn"):
            first_tls.setdefault(r["conn"], r["seq"])
    out = {"smtp": [], "pop3": [], "imap": []}
    # Scripted connections (proto raw) to an SMTP port send SMTP commands too.
    smtp_conns = {r["conn"] for r in records if r["kind"] == "connection" and r.get("event") == "connecting"
                  and r.get("detail", {}).get("server", "").rsplit(":", 1)[-1] in ("25", "587", "2525")}
    for r in records:
        if r["kind"] == "protocol" and r.get("proto") == "raw" and r.get("event") == "sent" \
                and r.get("conn") in smtp_conns and r.get("conn") not in first_tls:
            for line in unescape(r["detail"].get("bytes", "")).decode("utf-8", "replace").split("\r\n"):
                if line:
                    out["smtp"].append((r["conn"], "command", {"verb": line.split(" ")[0]}))
            continue
        if r["kind"] != "protocol" or r.get("proto") not in out or r.get("event") not in ("command", "reply"):
            continue
        line = r.get("detail", {}).get("line", "")
        if r["event"] == "reply" and r["proto"] == "smtp" and len(line) > 3 and line[3] == "-":
            continue  # a continuation line: tshark gives one code per reply
        if r.get("conn") in first_tls and r["seq"] > first_tls[r["conn"]]:
            continue
        d = r.get("detail", {})
        out[r["proto"]].append((r["conn"], r["event"], d))
    return out


def check_capture(lesson):
    name = os.path.splitext(os.path.basename(lesson))[0]
    tmp = tempfile.mkdtemp(prefix="mailsim-export-")
    try:
        records = trace_of(lesson, tmp)
        pcap, pcapng = os.path.join(tmp, "run.pcap"), os.path.join(tmp, "run.pcapng")
        run([MAILSIM, "export", lesson, "--pcap", pcap, "--pcapng", pcapng])
        packets = [r for r in records if r["kind"] == "packet"]
        dissected = {pcap: dissect(pcap), pcapng: dissect(pcapng)}
        for path, frames in dissected.items():
            check(len(frames) == len(packets), f"{name}: {path}: {len(frames)} frames, trace has {len(packets)} packets")
            malformed = [number(f) for f in frames if has(f, "_ws.malformed")]
            check(not malformed, f"{name}: {path}: malformed packets {malformed}")
            bad = [number(f) for f in frames
                   if any(v == "2" for k in ("ip.checksum.status", "tcp.checksum.status", "udp.checksum.status")
                          for v in values(f, k))]
            check(not bad, f"{name}: {path}: bad checksums in frames {bad}")
            # TCP analysis: the simulator retransmits only SYNs (unanswered connects); a RST
            # answering a SYN is the lesson's refused connection, not an analysis warning.
            odd = [f for f in frames if has(f, "tcp.analysis.flags")
                   and not (has(f, "tcp.analysis.retransmission") and "1" in values(f, "tcp.flags.syn"))
                   and not has(f, "tcp.analysis.window_update")]
            if odd:
                detail = "\n".join(number(f) + "\t" + field(f, "_ws.expert.message") for f in odd[:5])
                check(False, f"{name}: {path}: TCP analysis warnings in frames {[number(f) for f in odd[:20]]}:\n{detail}")
            retrans = [number(f) for f in frames if has(f, "tcp.analysis.retransmission")]
            drops = any(r["kind"] == "policy" or r.get("detail", {}).get("lost") for r in records) or \
                any(r["kind"] == "connection" and r.get("event") == "timeout" for r in records)
            check(not retrans or drops, f"{name}: retransmissions {retrans} in a lesson that drops nothing")
        frames = dissected[pcap]
        sim = lines_in_clear(records)
        # SMTP: commands and reply codes, in order.
        got = []
        for f in frames:
            got += [("C", c.upper()[:4]) for c in values(f, "smtp.req.command")]  # tshark keeps four letters
            got += [("S", c) for c in values(f, "smtp.response.code")]
        want = []
        for conn, ev, d in sim["smtp"]:
            if ev == "command":
                want.append(("C", (d.get("verb") or d.get("line", "").split(" ")[0]).upper()[:4]))
            else:
                want.append(("S", str(d.get("code", "")) or d.get("line", "")[:3]))
        check(sorted(got) == sorted(want) and len(got) == len(want),
              f"{name}: SMTP lines differ\n tshark: {got[:40]}\n    sim: {want[:40]}")
        check_order(name, "SMTP", got, want)
        # POP3: commands and status indicators.
        got = []
        for f in frames:
            cmd, ind = field(f, "pop.request.command"), field(f, "pop.response.indicator")
            if cmd:
                got.append(("C", cmd.upper()))
            if ind:
                got.append(("S", ind.upper()))
        want = []
        for conn, ev, d in sim["pop3"]:
            if ev == "command":
                want.append(("C", (d.get("verb") or d.get("line", "").split(" ")[0]).upper()))
            elif d.get("line", "").startswith(("+OK", "-ERR")):
                want.append(("S", d["line"].split(" ")[0].upper()))
        check_order(name, "POP3", got, want)
        # IMAP: request commands.
        got = [field(f, "imap.request.command").upper() for f in frames if has(f, "imap.request.command")]
        want = [(d.get("verb") or d.get("line", "").split(" ")[1]).upper()
                for conn, ev, d in sim["imap"] if ev == "command"]
        check_order(name, "IMAP", [("C", g) for g in got], [("C", w) for w in want])
        # DNS: each datagram's question and, for answers, its rcode.
        got = sorted((field(f, "dns.flags.response"), field(f, "dns.qry.name"), field(f, "dns.flags.rcode"))
                     for f in frames if "dns" in f)
        rcodes = {"NOERROR": "0", "FORMERR": "1", "SERVFAIL": "2", "NXDOMAIN": "3", "NOTIMP": "4", "REFUSED": "5"}
        want = []
        for r in records:
            if r["kind"] == "dns" and r.get("event") in ("query", "response"):
                d = r["detail"]
                q = d.get("qname", "").rstrip(".")
                if r["event"] == "query":
                    want.append(("0", q, ""))
                else:
                    want.append(("1", q, rcodes.get(d.get("rcode", "NOERROR"), "?")))
        # Queries that never reached a server have no dns record: compare what reached one.
        delivered = {tuple(w) for w in want}
        check(all(w in got for w in delivered),
              f"{name}: DNS lines differ\n tshark: {got[:20]}\n    sim: {sorted(want)[:20]}")
        # Narration comments: every reached step's text is on a packet.
        steps = json.load(open(lesson, encoding="utf-8")).get("narration", [])
        out = "\n".join(v for f in dissected[pcapng] for v in values(f, "frame.comment"))
        for i, s in enumerate(steps):
            text = s["text"]["en"] if isinstance(s.get("text"), dict) else s.get("en", "")
            check(text[:60] in out, f"{name}: narration step {i + 1} is not a packet comment: {text[:60]!r}")
        if steps:
            ja = os.path.join(tmp, "ja.pcapng")
            run([MAILSIM, "export", lesson, "--pcapng", ja, "--lang", "ja"])
            out = "\n".join(v for f in dissect(ja) for v in values(f, "frame.comment"))
            first = steps[0]["text"].get("ja") if isinstance(steps[0].get("text"), dict) else steps[0].get("ja")
            if first:
                check(first[:20] in out, f"{name}: Japanese narration not read back: {first[:20]!r}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def check_order(name, proto, got, want):
    check(got == want, f"{name}: {proto} lines differ\n tshark: {got[:40]}\n    sim: {want[:40]}")


# ---- messages and mailboxes ------------------------------------------------------------------

def stored_records(records):
    return [r for r in records if r["kind"] == "mailbox" and r.get("event") == "stored"]


def check_mail():
    tmp = tempfile.mkdtemp(prefix="mailsim-mail-")
    try:
        lesson = "cross-domain"
        records = trace_of(lesson, tmp)
        eml = os.path.join(tmp, "eml")
        run([MAILSIM, "export", lesson, "--eml", eml])
        files = sorted(os.listdir(eml))
        check(any("delivered" in f for f in files), f"no delivered copy among {files}")
        # A submission in clear (the eavesdropper lesson's old PC): the submitted message is
        # what the store filed, below the Return-Path and Received lines the servers added.
        eml2 = os.path.join(tmp, "eml2")
        run([MAILSIM, "export", "tls-eavesdropper", "--eml", eml2])
        sub = [f for f in os.listdir(eml2) if "-submitted-" in f]
        check(sub, f"no submitted message among {os.listdir(eml2)}")
        stored2 = [open(os.path.join(eml2, f), "rb").read() for f in os.listdir(eml2) if "-delivered-" in f]
        for f in sub:
            raw = open(os.path.join(eml2, f), "rb").read()
            check(any(d.endswith(raw) and d != raw for d in stored2), f"{f}: not the tail of a delivered copy")
        # Submitted inside TLS too: the laptop's SMTPS message is there as well.
        check(len(sub) >= 2, f"tls-eavesdropper: {len(sub)} submitted message(s), expected the PC's and the laptop's")
        check_every_message()
        stored = stored_records(records)
        delivered = [f for f in files if re.match(r"\d+-(delivered|dsn)-", f)]
        check(len(delivered) == len(stored), f"{len(delivered)} stored .eml files, trace has {len(stored)} stored")
        subjects = []
        for f in files:
            raw = open(os.path.join(eml, f), "rb").read()
            check(b"\n" not in raw.replace(b"\r\n", b""), f"{f}: a bare LF")
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            check(msg["Message-ID"] is not None, f"{f}: no Message-ID")
            subjects.append(str(msg["Subject"]))
            # Header fields parsed by Python equal the raw ones, one for one, in order.
            head, _, body = raw.partition(b"\r\n\r\n")
            raw_names = [l.split(b":", 1)[0].decode() for l in head.split(b"\r\n") if l and l[:1] not in (b" ", b"\t")]
            check(raw_names == list(msg.keys()), f"{f}: header names {list(msg.keys())} != {raw_names}")
            plain = email.message_from_bytes(raw, policy=email.policy.compat32)
            if not plain.is_multipart():
                check(plain.get_payload(decode=False).encode("utf-8", "surrogateescape") == body
                      or plain.get_payload(decode=False) == body.decode("ascii", "replace"),
                      f"{f}: body differs")
        check("お手紙ありがとう" in subjects, f"the Japanese subject did not decode: {subjects}")
        # Delivered copies equal what the store filed (the trace's stored records).
        for r in stored:
            d = r["detail"]
            head = unescape(d.get("headers", ""))
            match = [f for f in delivered if open(os.path.join(eml, f), "rb").read().startswith(head)]
            check(match, f"no .eml starts with the stored headers of uid {d.get('uid')} for {d.get('user')}")
            if match and not d.get("body_truncated"):
                raw = open(os.path.join(eml, match[0]), "rb").read()
                check(raw == head + unescape(d.get("body_preview", "")), f"{match[0]}: bytes differ from the store")

        # mbox and Maildir of one mailbox.
        box = "kuroyagi@hogehoge.com"
        mb, md = os.path.join(tmp, "k.mbox"), os.path.join(tmp, "k.maildir")
        run([MAILSIM, "export", lesson, "--mbox", mb, "--maildir", md, "--mailbox", box])
        mine = [r for r in stored if r.get("host") == "mx-hogehoge" or "kuroyagi" == r["detail"].get("user")]
        want = [unescape(r["detail"]["headers"]) for r in mine]
        got = []
        for m in mailbox.mbox(mb):
            data = m.as_bytes() if False else bytes(m.get_bytes()) if hasattr(m, "get_bytes") else m.as_bytes()
            got.append(data)
        mb_raw = open(mb, "rb").read()
        check(mb_raw.startswith(b"From "), "mbox does not start with a From line")
        msgs = list(mailbox.mbox(mb))
        check(len(msgs) == len(want), f"mbox has {len(msgs)} messages, the store {len(want)}")
        for m, h in zip(msgs, want):
            hdr = h.replace(b"\r\n", b"\n")
            text = m.as_bytes(unixfrom=False)
            check(str(m["Message-ID"]) in h.decode("utf-8", "replace"), "mbox message out of order")
            check(m.get_from().split(" ")[0] in ("MAILER-DAEMON", email.utils.parseaddr(str(m["Return-Path"]))[1]),
                  f"mbox From line sender {m.get_from()!r}")
        md_box = mailbox.Maildir(md, factory=None, create=False)
        keys = sorted(md_box.keys())
        check(len(keys) == len(want), f"Maildir has {len(keys)} messages, the store {len(want)}")
        for k in keys:
            m = md_box[k]
            check(m.get_subdir() in ("new", "cur"), f"maildir subdir {m.get_subdir()}")
            raw = md_box.get_bytes(k)
            check(any(raw.startswith(h.replace(b"\r\n", b"\n")) for h in want), f"maildir {k}: headers differ")
        # Flags: a lesson that reads with IMAP marks \Seen -> ":2,S".
        md2 = os.path.join(tmp, "imap.maildir")
        run([MAILSIM, "export", "imap-two-devices", "--maildir", md2, "--mailbox", imap_mailbox()])
        names = os.listdir(os.path.join(md2, "cur")) + os.listdir(os.path.join(md2, "new"))
        check(any(re.search(r":2,[A-Z]*S", n) for n in names), f"no seen message in the IMAP Maildir: {names}")
        flagged = [m for m in mailbox.Maildir(md2, factory=None, create=False) if "S" in m.get_flags()]
        check(flagged, "Python reads no S flag")
        # mboxrd quoting survives: a body line starting "From " is quoted once.
        for m in msgs:
            body = m.get_payload(decode=False) if not m.is_multipart() else ""
            check(not re.search(r"^From ", body, re.M), "an unquoted From line in an mbox body")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def all_lessons():
    root = os.environ.get("MAILSIM_SCENARIOS", os.path.join(os.path.dirname(__file__), "..", "..", "scenarios"))
    out = []
    for d, _, fs in os.walk(root):
        out += [f[:-5] for f in fs if f.endswith(".json") and not f.endswith(".schema.json")]
    return sorted(out)


def check_every_message():
    """Every lesson: each message a device submitted (in clear or inside TLS), each copy a store
    filed (also those POP3 deleted later) and each bounce's DSN is a .eml file."""
    tmp = tempfile.mkdtemp(prefix="mailsim-every-")
    try:
        for lesson in all_lessons():
            records = trace_of(lesson, tmp)
            eml = os.path.join(tmp, lesson)
            p = run([MAILSIM, "export", lesson, "--eml", eml], code=None)
            files = sorted(os.listdir(eml)) if os.path.isdir(eml) else []
            raws = {f: open(os.path.join(eml, f), "rb").read() for f in files}
            ids = {}
            for f, raw in raws.items():
                mid = email.message_from_bytes(raw, policy=email.policy.compat32)["Message-ID"]
                ids.setdefault(str(mid).strip(), []).append(f)
            stored = stored_records(records)
            filed = [f for f in files if re.match(r"\d+-(delivered|dsn)-", f)]
            check(len(filed) == len(stored), f"{lesson}: {len(filed)} delivered/dsn files, the trace stored {len(stored)}")
            for r in stored:
                head = unescape(r["detail"].get("headers", ""))
                check(any(raws[f].startswith(head) for f in filed),
                      f"{lesson}: no .eml for the copy stored as uid {r['detail'].get('uid')} of {r['detail'].get('user')}")
            for r in records:
                if r["kind"] == "mail" and r.get("event") == "submitted":
                    mid = r["detail"].get("message_id", "")
                    check(any("-submitted-" in f for f in ids.get(mid, [])),
                          f"{lesson}: no submitted .eml with Message-ID {mid} ({r['summary']})")
            if any(r["kind"] == "mail" and r.get("event") == "bounced" for r in records):
                check(any(re.match(r"\d+-(dsn|relayed-dsn)-", f) for f in files), f"{lesson}: a bounce but no DSN file: {files}")
            if any(r["kind"] == "mailbox" and r.get("event") in ("downloaded-and-deleted", "deleted-via-pop3",
                                                               "downloaded_and_deleted", "deleted_via_pop3")
                   for r in records):
                check(filed, f"{lesson}: POP3 deleted messages, but no delivered copy was written")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def imap_mailbox():
    data = json.load(open(lesson_path("imap-two-devices"), encoding="utf-8"))
    for h in data["hosts"]:
        ms = h.get("mail_server")
        if ms and ms.get("users"):
            return ms["users"][0]["name"] + "@" + ms["domains"][0]
    raise SystemExit("imap-two-devices has no mailbox")


def lesson_path(name):
    root = os.environ.get("MAILSIM_SCENARIOS", os.path.join(os.path.dirname(__file__), "..", "..", "scenarios"))
    for d, _, fs in os.walk(root):
        if name + ".json" in fs:
            return os.path.join(d, name + ".json")
    raise SystemExit(f"no lesson {name}")


# ---- SVG -----------------------------------------------------------------------------------

def png_distinct_bytes(path):
    data = open(path, "rb").read()
    check(data[:8] == b"\x89PNG\r\n\x1a\n", f"{path}: not a PNG")
    pos, idat = 8, b""
    while pos < len(data):
        n = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + n]
        pos += 12 + n
    return len(set(zlib.decompress(idat)))


def check_svg():
    tmp = tempfile.mkdtemp(prefix="mailsim-svg-")
    try:
        for lesson, lang in (("whole-journey", "en"), ("cross-domain", "ja"), ("delegation", "en"),
                             ("op25b-submission", "ja")):
            seq, mp = os.path.join(tmp, f"{lesson}-{lang}.svg"), os.path.join(tmp, f"{lesson}-{lang}-map.svg")
            run([MAILSIM, "export", lesson, "--svg", seq, "--svg-map", mp, "--step", "2", "--lang", lang])
            for path in (seq, mp):
                root = ET.parse(path).getroot()
                check(root.tag == "{http://www.w3.org/2000/svg}svg", f"{path}: root is {root.tag}")
                texts = "".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
                check(len(texts) > 20, f"{path}: hardly any text")
                png = path + ".png"
                run(["rsvg-convert", "-f", "png", "-o", png, path])
                check(png_distinct_bytes(png) > 8, f"{png}: blank")
            # Narration step labels never print over each other: each is at least a line
            # below the one before it (several steps can fall on one arrow's row).
            svg_ns = "{http://www.w3.org/2000/svg}"
            ys = []
            for g in ET.parse(seq).getroot().iter(svg_ns + "g"):
                if g.get("class") == "step":
                    label = [t for t in g.iter(svg_ns + "text")][-1]
                    ys.append(float(label.get("y")))
            check(len(ys) >= 2, f"{seq}: {len(ys)} narration steps drawn")
            for a, b in zip(ys, ys[1:]):
                check(b - a >= 16, f"{seq}: step labels at y={a} and y={b} overlap")
            if lesson == "delegation":
                check("MX? " in open(seq, encoding="utf-8").read(), "delegation: no DNS question label")
            if lang == "ja":
                check("ナレーション" in open(seq, encoding="utf-8").read(), f"{seq}: no Japanese words")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ---- determinism and bad arguments ----------------------------------------------------------------

def export_all(lesson, into):
    os.makedirs(into)
    run([MAILSIM, "export", lesson, "--pcap", f"{into}/a.pcap", "--pcapng", f"{into}/a.pcapng",
         "--eml", f"{into}/eml", "--mbox", f"{into}/a.mbox", "--maildir", f"{into}/md",
         "--mailbox", "kuroyagi@hogehoge.com", "--svg", f"{into}/a.svg", "--svg-map", f"{into}/m.svg", "--step", "3"])


def tree(root):
    out = {}
    for d, _, fs in os.walk(root):
        for f in fs:
            p = os.path.join(d, f)
            out[os.path.relpath(p, root)] = open(p, "rb").read()
    return out


def check_determinism():
    tmp = tempfile.mkdtemp(prefix="mailsim-det-")
    try:
        export_all("cross-domain", os.path.join(tmp, "one"))
        export_all("cross-domain", os.path.join(tmp, "two"))
        a, b = tree(os.path.join(tmp, "one")), tree(os.path.join(tmp, "two"))
        check(sorted(a) == sorted(b), f"different files: {sorted(a)} vs {sorted(b)}")
        for k in a:
            check(a[k] == b.get(k), f"{k} differs between two exports")
        check(len(a) >= 7, f"too few files: {sorted(a)}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def check_badargs():
    tmp = tempfile.mkdtemp(prefix="mailsim-bad-")
    try:
        blocker = os.path.join(tmp, "a-file")
        open(blocker, "w").close()
        cases = [
            (["cross-domain", "--mbox", f"{tmp}/x.mbox", "--mailbox", "nobody@hogehoge.com"], "nobody@hogehoge.com"),
            (["cross-domain", "--mbox", f"{tmp}/x.mbox", "--mailbox", "kuroyagi@hogehoge.com", "--at", "99h"], "after the end"),
            (["cross-domain", "--pcap", f"{blocker}/x.pcap"], "cannot write"),
            (["cross-domain", "--pcapng", f"{tmp}/x.pcapng", "--at", "no-such-host"], "neither a host"),
            (["cross-domain", "--svg-map", f"{tmp}/x.svg", "--step", "999"], "--step"),
            (["cross-domain", "--pcap", f"{tmp}/x.pcap", "--proto", "smtp,gopher"], "gopher"),
            (["cross-domain", "--pcap", f"{tmp}/x.pcap", "--epoch", "yesterday"], "--epoch"),
            (["cross-domain"], "nothing to write"),
            (["no-such-lesson", "--pcap", f"{tmp}/x.pcap"], "no-such-lesson"),
            (["cross-domain", "--eml", blocker], "not a folder"),
            (["cross-domain", "--pcap", f"{tmp}/x.pcap", "--conn", "999"], "no such TCP connection"),
            (["cross-domain", "--pcap", f"{tmp}/x.pcap", "--from", "10s", "--to", "1s"], "after --to"),
            (["cross-domain", "--pcap", f"{tmp}/x.pcap", "--from", "99h"], "after the end"),
            (["cross-domain", "--pcap", f"{tmp}/x.pcap", "--pcapng", f"{tmp}/./x.pcap"], "the same path"),
            (["cross-domain", "--pcap", f"{tmp}/x.pcap", "--lang", "fr"], "--lang"),
            (["cross-domain", "--pcap", f"{tmp}/x.pcap", "--conn", "abc"], "--conn"),
            (["cross-domain", "--pcap", f"{tmp}/x.pcap", "--no-such-option"], "--no-such-option"),
        ]
        for args, words in cases:
            p = run([MAILSIM, "export", *args], code=None)
            err = p.stderr.decode("utf-8", "replace")
            check(p.returncode == 2, f"{args}: exit {p.returncode}, expected 2")
            check(words in err, f"{args}: error {err!r} does not say {words!r}")
        left = sorted(os.listdir(tmp))
        check(left == ["a-file"], f"files left behind: {left}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ---- mutt ----------------------------------------------------------------------------------

MUTTRC = """set charset="utf-8"
set pipe_split=yes
set pipe_decode=yes
set wait_key=no
set confirmappend=no
"""


def mutt_subjects(folder, tmp):
    """Opens `folder` with mutt (read-only, in a pseudo-terminal made by script(1)), pipes every
    message through `cat` with pipe_decode (so mutt decodes the headers itself) and returns the
    Subject lines mutt wrote, in mutt's order."""
    rc = os.path.join(tmp, "muttrc")
    with open(rc, "w") as f:
        f.write(MUTTRC)
    out = os.path.join(tmp, "mutt-out.txt")
    if os.path.exists(out):
        os.remove(out)
    keys = f"<tag-pattern>~A<enter><tag-prefix><pipe-entry>cat >> {out}<enter><exit>"
    inner = f"mutt -n -F {rc} -R -f {folder} -e 'push \"{keys}\"'"
    env = dict(os.environ, TERM="vt100", HOME=tmp, LANG="C.UTF-8", LC_ALL="C.UTF-8", MAIL="", MAILCHECK="0")
    p = subprocess.run(["script", "-qec", inner, "/dev/null"], capture_output=True, env=env, timeout=60,
                       stdin=subprocess.DEVNULL)
    check(p.returncode == 0, f"mutt on {folder} exited {p.returncode}")
    if not check(os.path.exists(out), f"mutt wrote nothing for {folder}"):
        return []
    text = open(out, "rb").read().decode("utf-8", "replace")
    # .eml files keep CRLF line ends (RFC 5322); mutt passes the CR through.
    return [l[len("Subject: "):].rstrip("\r") for l in text.split("\n") if l.startswith("Subject: ")]


def python_subjects(raws):
    return [str(email.message_from_bytes(r, policy=email.policy.default)["Subject"]) for r in raws]


def check_mutt():
    if not shutil.which("mutt") or not shutil.which("script"):
        raise SystemExit("mutt (or script) is missing: scripts/install-deps.sh installs it")
    tmp = tempfile.mkdtemp(prefix="mailsim-mutt-")
    try:
        # A mailbox with the Japanese subject (cross-domain) and one with IMAP flags.
        for lesson, box in (("cross-domain", "kuroyagi@hogehoge.com"), ("imap-two-devices", imap_mailbox()),
                            ("pop3-leave-on-server", None)):
            if box is None:
                data = json.load(open(lesson_path(lesson), encoding="utf-8"))
                ms = [h["mail_server"] for h in data["hosts"] if h.get("mail_server", {}).get("users")][0]
                box = ms["users"][0]["name"] + "@" + ms["domains"][0]
            d = os.path.join(tmp, lesson)
            mb, md, eml = os.path.join(d, "box.mbox"), os.path.join(d, "box.maildir"), os.path.join(d, "eml")
            run([MAILSIM, "export", lesson, "--mbox", mb, "--maildir", md, "--mailbox", box, "--eml", eml])
            want = python_subjects([m.as_bytes() for m in mailbox.mbox(mb)])
            check(want, f"{lesson}: the mbox of {box} is empty")
            got = mutt_subjects(mb, d)
            check(got == want, f"{lesson}: mutt shows the mbox subjects {got}, Python {want}")
            got_md = mutt_subjects(md, d)
            check(sorted(got_md) == sorted(want), f"{lesson}: mutt shows the Maildir subjects {got_md}, want {want}")
            # The .eml files, as a person opens them with mutt: put in a Maildir of their own.
            files = sorted(os.listdir(eml))
            em = os.path.join(d, "eml.maildir")
            for sub in ("cur", "new", "tmp"):
                os.makedirs(os.path.join(em, sub))
            raws = []
            for i, f in enumerate(files):
                raw = open(os.path.join(eml, f), "rb").read()
                raws.append(raw)
                with open(os.path.join(em, "cur", f"{i + 1}.mailsim:2,S"), "wb") as out:
                    out.write(raw)
            got_eml = mutt_subjects(em, d)
            want_eml = python_subjects(raws)
            check(len(got_eml) == len(files), f"{lesson}: mutt read {len(got_eml)} of {len(files)} .eml files")
            check(sorted(got_eml) == sorted(want_eml), f"{lesson}: mutt shows the .eml subjects {got_eml}, Python {want_eml}")
            if lesson == "cross-domain":
                check("お手紙ありがとう" in got, f"mutt did not decode the Japanese subject: {got}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    what = sys.argv[2]
    if what == "capture":
        check_capture(sys.argv[3])
    elif what == "mail":
        check_mail()
    elif what == "svg":
        check_svg()
    elif what == "determinism":
        check_determinism()
    elif what == "badargs":
        check_badargs()
    elif what == "mutt":
        check_mutt()
    else:
        raise SystemExit(f"unknown check {what}")
    print(f"{len(FAILS)} failed" if FAILS else "ok")
    sys.exit(1 if FAILS else 0)
