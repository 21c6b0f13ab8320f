#!/usr/bin/env python3
"""A "delayed" report (delay_warning, issue 17), read back with Python's email module.

usage: delay_dsn_checks.py MAILSIM MAILBOX_FULL_LESSON

Makes a scenario from the mailbox-full lesson in which the full mailbox refuses for now
(452 4.2.2), the sender's server warns after 3 minutes and the mailbox gets room at 10
minutes; runs it and writes the sender's mailbox as mbox with `mailsim export`. The sender
must hold exactly one report, a multipart/report; report-type=delivery-status from
MAILER-DAEMON whose message/delivery-status part has one per-recipient block with
Action: delayed, a 4.x.x Status and Will-Retry-Until, and no failure report (the message
was delivered after all, which the trace must show).
"""
import email
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


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    mailsim, lesson = argv[1:]
    with open(lesson, encoding="utf-8") as f:
        j = json.load(f)
    j.pop("narration", None)
    j.pop("expectations", None)
    for h in j["hosts"]:
        if h["id"] == "mx-hogehoge":
            h["mail_server"]["quota_refusal"] = "temporary"
        if h["id"] == "mail-example":
            h["mail_server"]["delay_warning"] = "3m"
    j["timeline"].append({"at": "10m", "do": "change_server", "host": "mx-hogehoge", "user": "kuroyagi",
                          "quota": "8KB"})
    tmp = tempfile.mkdtemp(prefix="mailsim-delay-")
    try:
        scenario = os.path.join(tmp, "delay-warning.json")
        with open(scenario, "w", encoding="utf-8") as f:
            json.dump(j, f, ensure_ascii=False)
        trace = os.path.join(tmp, "trace.jsonl")
        box = os.path.join(tmp, "sender.mbox")
        run([mailsim, "run", scenario, "--trace", trace])
        run([mailsim, "export", scenario, "--mbox", box, "--mailbox", "shiroyagi@example.com"])
        problems = []
        events = []
        with open(trace, encoding="utf-8") as f:
            for line in list(f)[1:]:
                r = json.loads(line)
                if r.get("kind") == "mail":
                    events.append((r.get("event"), r.get("detail", {})))
        if [e for e, _ in events].count("delayed") != 1:
            problems.append(f"{[e for e, _ in events].count('delayed')} delayed record(s), not 1")
        if not any(e == "delivered" and d.get("recipient") == "kuroyagi@hogehoge.com" for e, d in events):
            problems.append("the message was not delivered to kuroyagi after the warning")
        reports = []
        for msg in mailbox.mbox(box, factory=lambda f: email.message_from_binary_file(f, policy=email.policy.compat32)):
            if msg.get_content_type() == "multipart/report":
                reports.append(msg)
        if len(reports) != 1:
            problems.append(f"{len(reports)} report(s) in the sender's mailbox, not 1")
        for msg in reports:
            if msg.get_param("report-type") != "delivery-status":
                problems.append("a multipart/report without report-type=delivery-status")
            if "mailer-daemon" not in msg.get("From", "").lower():
                problems.append(f"a report from {msg.get('From')}, not MAILER-DAEMON")
            if "(Delay)" not in msg.get("Subject", ""):
                problems.append(f"subject {msg.get('Subject')!r} does not say Delay")
            parts = [p for p in msg.walk() if p.get_content_type() == "message/delivery-status"]
            if len(parts) != 1:
                problems.append(f"{len(parts)} message/delivery-status parts")
                continue
            blocks = parts[0].get_payload()
            if not isinstance(blocks, list) or len(blocks) != 2:
                problems.append(f"expected the per-message block and one per-recipient block, got {blocks!r}")
                continue
            if not blocks[0].get("Reporting-MTA", "").startswith("dns;"):
                problems.append(f"per-message block without Reporting-MTA: {blocks[0].items()}")
            b = blocks[1]
            if b.get("Final-Recipient", "").lower() != "rfc822; kuroyagi@hogehoge.com":
                problems.append(f"Final-Recipient {b.get('Final-Recipient')!r}")
            if b.get("Action") != "delayed":
                problems.append(f"Action {b.get('Action')!r}, not delayed")
            if not (b.get("Status") or "").startswith("4."):
                problems.append(f"Status {b.get('Status')!r}, not 4.x.x")
            if not b.get("Will-Retry-Until"):
                problems.append("no Will-Retry-Until")
            text = [p for p in msg.walk() if p.get_content_type() == "text/plain"]
            if not text or "only a warning" not in text[0].get_payload(decode=True).decode("ascii", "replace"):
                problems.append("the human-readable part does not say it is only a warning")
        for p in problems:
            print(p)
        print(f"delay warning: {len(reports)} report(s), {len(problems)} problem(s)")
        return 1 if problems else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
