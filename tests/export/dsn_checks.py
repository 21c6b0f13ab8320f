#!/usr/bin/env python3
"""One combined bounce per message (issue 17), read back with Python's email module.

usage: dsn_checks.py MAILSIM LESSON SENDER

Runs LESSON, writes SENDER's mailbox as mbox with `mailsim export`, and checks that every
message whose recipients bounced came back as exactly one RFC 3464 report
(multipart/report; report-type=delivery-status) whose message/delivery-status part has one
per-recipient block for each `bounced` record of the trace, with the same status.
"""
import collections
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
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    mailsim, lesson, sender = argv[1:]
    tmp = tempfile.mkdtemp(prefix="mailsim-dsn-")
    try:
        trace = os.path.join(tmp, "trace.jsonl")
        box = os.path.join(tmp, "sender.mbox")
        run([mailsim, "run", lesson, "--trace", trace])
        run([mailsim, "export", lesson, "--mbox", box, "--mailbox", sender])
        # The trace: failed recipients per (host, queue id) of messages from SENDER.
        bounced = collections.defaultdict(dict)
        with open(trace, encoding="utf-8") as f:
            for line in list(f)[1:]:
                r = json.loads(line)
                d = r.get("detail", {})
                if r.get("kind") == "mail" and r.get("event") == "bounced" and d.get("sender") == sender:
                    bounced[(r["host"], d["queue_id"])][d["recipient"].lower()] = d["status"]
        problems = []
        if not bounced:
            problems.append(f"{lesson}: no bounced record for mail from {sender}")
        reports = []
        for msg in mailbox.mbox(box, factory=lambda f: email.message_from_binary_file(f, policy=email.policy.compat32)):
            if msg.get_content_type() != "multipart/report":
                continue
            if msg.get_param("report-type") != "delivery-status":
                problems.append("a multipart/report without report-type=delivery-status")
            if msg.get("From", "").lower().find("mailer-daemon") < 0:
                problems.append(f"a report from {msg.get('From')}, not MAILER-DAEMON")
            parts = [p for p in msg.walk() if p.get_content_type() == "message/delivery-status"]
            if len(parts) != 1:
                problems.append(f"a report with {len(parts)} message/delivery-status parts")
                continue
            blocks = parts[0].get_payload()  # the per-message block, then one per recipient
            if not isinstance(blocks, list) or len(blocks) < 2:
                problems.append("a delivery-status part without per-recipient blocks")
                continue
            if not blocks[0].get("Reporting-MTA", "").startswith("dns;"):
                problems.append(f"per-message block without Reporting-MTA: {blocks[0].items()}")
            recipients = {}
            for b in blocks[1:]:
                final = b.get("Final-Recipient", "")
                if not final.lower().startswith("rfc822;") or b.get("Action") != "failed" or not b.get("Status"):
                    problems.append(f"a bad per-recipient block: {b.items()}")
                    continue
                recipients[final.split(";", 1)[1].strip().lower()] = b.get("Status")
            reports.append(recipients)
        # One report per bounced message, with a block per failed recipient and its status.
        if len(reports) != len(bounced):
            problems.append(f"{len(reports)} report(s) in {sender}'s mailbox for {len(bounced)} bounced message(s)")
        for failed in bounced.values():
            if failed not in reports:
                problems.append(f"no report with exactly the blocks {failed}; reports: {reports}")
        for p in problems:
            print(p)
        print(f"{lesson}: {len(reports)} report(s), {sum(len(r) for r in reports)} per-recipient block(s), "
              f"{len(problems)} problem(s)")
        return 1 if problems else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
