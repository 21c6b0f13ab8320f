#!/usr/bin/env python3
"""The mojibake lesson's message, read back with Python's email module and codecs (issue 17).

usage: iso2022jp_checks.py MAILSIM LESSON MAILBOX

Runs LESSON, writes MAILBOX's messages as mbox with `mailsim export`, and checks the one
ISO-2022-JP message: its header says charset=ISO-2022-JP and 7bit; the body's bytes are 7-bit
and exactly what Python's own 'iso2022_jp' codec makes of the text the lesson wrote (and what
glibc's iconv makes of it, when the iconv program is there); the subject is encoded words in
ISO-2022-JP that Python decodes to the lesson's subject, each at most 75 characters.
"""
import email
import email.header
import email.policy
import json
import mailbox
import os
import shutil
import subprocess
import sys
import tempfile


def run(args):
    p = subprocess.run(args, capture_output=True)
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(args)} exited {p.returncode}:\n{p.stdout.decode(errors='replace')}"
                         f"{p.stderr.decode(errors='replace')}")
    return p.stdout


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    mailsim, lesson, address = argv[1:]
    with open(lesson, encoding="utf-8") as f:
        scenario = json.load(f)
    sends = [a for a in scenario["timeline"] if a["do"] == "send"]
    subject, body = sends[0]["subject"], sends[0]["body"]
    tmp = tempfile.mkdtemp(prefix="mailsim-jis-")
    problems = []
    try:
        box = os.path.join(tmp, "box.mbox")
        run([mailsim, "export", lesson, "--mbox", box, "--mailbox", address])
        msgs = [m for m in mailbox.mbox(box, factory=lambda f: email.message_from_binary_file(f, policy=email.policy.compat32))
                if (m.get_content_charset() or "").lower() == "iso-2022-jp"]
        if len(msgs) != 1:
            problems.append(f"{len(msgs)} ISO-2022-JP message(s) in {address}'s mailbox, expected 1")
        for m in msgs:
            if m.get("Content-Transfer-Encoding", "").lower() != "7bit":
                problems.append(f"Content-Transfer-Encoding {m.get('Content-Transfer-Encoding')}, expected 7bit")
            raw = m.get_payload(decode=True)
            if any(b >= 0x80 for b in raw):
                problems.append("8-bit bytes in an ISO-2022-JP body")
            want = body.replace("\n", "\r\n").encode("iso2022_jp")
            got = raw if raw.endswith(b"\r\n") else raw
            if got.replace(b"\r\n", b"\n") != want.replace(b"\r\n", b"\n"):
                problems.append(f"body bytes differ from Python's iso2022_jp:\n  ours   {got!r}\n  python {want!r}")
            if raw.decode("iso2022_jp").replace("\r\n", "\n") != body:
                problems.append("the body does not decode to the text the lesson wrote")
            iconv = shutil.which("iconv")
            if iconv:
                p = subprocess.run([iconv, "-f", "UTF-8", "-t", "ISO-2022-JP"], input=body.encode("utf-8"),
                                   capture_output=True)
                if p.returncode != 0 or p.stdout != got.replace(b"\r\n", b"\n"):
                    problems.append(f"body bytes differ from glibc iconv: {p.stdout!r}")
            header = m.get("Subject", "")
            words = [w for w in header.split() if w.startswith("=?")]
            if not words or any(not w.upper().startswith("=?ISO-2022-JP?B?") or len(w) > 75 for w in words):
                problems.append(f"subject is not ISO-2022-JP encoded words of at most 75 characters: {header!r}")
            decoded = "".join(t.decode(c) if isinstance(t, bytes) else t
                              for t, c in email.header.decode_header(header))
            if decoded != subject:
                problems.append(f"subject decodes to {decoded!r}, expected {subject!r}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for p in problems:
        print(p)
    if not problems:
        print("the ISO-2022-JP message reads back with Python's email module and codecs")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
