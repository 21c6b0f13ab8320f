#!/usr/bin/env python3
"""Real mail clients against `mailsim bridge` on 127.0.0.1 (docs/bridge.md).

  bridge_tests.py MAILSIM CASE

Each case starts its own bridge on ephemeral ports with a fresh local CA in a temporary folder,
drives real clients (curl, swaks, dig, Python's smtplib/poplib/imaplib, raw sockets), stops the
bridge with SIGINT and checks the report and the trace it wrote. Waits poll for an outcome with
a generous limit; nothing asserts how long anything took.
"""
import base64
import imaplib
import json
import os
import poplib
import resource
import select
import shutil
import signal
import smtplib
import socket
import ssl
import subprocess
import sys
import tempfile
import time

MAILSIM = sys.argv[1]
CASE = sys.argv[2]
FAILS = []


def check(cond, what):
    if not cond:
        FAILS.append(what)
        print("FAIL:", what)
    return cond


def wait_until(fn, limit=20.0, step=0.1):
    """Polls fn until it returns something true (or the limit passes, then returns the last value)."""
    end = time.monotonic() + limit
    while True:
        value = fn()
        if value or time.monotonic() > end:
            return value
        time.sleep(step)


class Bridge:
    def __init__(self, lesson, *extra):
        self.tmp = tempfile.mkdtemp(prefix="mailsim-bridge-")
        self.trace_path = os.path.join(self.tmp, "trace.jsonl")
        self.err_path = os.path.join(self.tmp, "stderr.txt")
        self.err = open(self.err_path, "wb")
        args = [MAILSIM, "bridge", lesson, "--ephemeral-ports", "--ca-dir", os.path.join(self.tmp, "ca"),
                "--trace", self.trace_path, "--for", "120s", *extra]
        self.json = "--json" in extra
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.err)
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait()
            raise SystemExit("the bridge did not start:\n" + open(self.err_path).read())
        self.ready = json.loads(line)
        self.ca = self.ready["ca_file"]
        self.report = None
        self.records = []

    def port(self, host, sim_port, transport="tcp"):
        for p in self.ready["ports"]:
            if p["host"] == host and p["sim_port"] == sim_port and p["transport"] == transport:
                return p["port"]
        raise SystemExit(f"no port for {host}:{sim_port}/{transport} in {self.ready}")

    def stop(self):
        self.proc.send_signal(signal.SIGINT)
        out, _ = self.proc.communicate(timeout=60)
        self.err.close()
        self.returncode = self.proc.returncode
        self.stdout = out.decode(errors="replace")
        self.stderr = open(self.err_path, errors="replace").read()
        if self.json:
            self.report = json.loads(out)
        with open(self.trace_path) as f:
            self.records = [json.loads(l) for l in f if l.strip()]
        return self

    def cleanup(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def found(self, **want):
        """Trace records whose fields (and detail fields, as detail_NAME) match."""
        out = []
        for r in self.records:
            ok = True
            for k, v in want.items():
                if k.startswith("detail_"):
                    got = r.get("detail", {}).get(k[7:])
                elif k == "summary_has":
                    got = v if v in r.get("summary", "") else None
                else:
                    got = r.get(k)
                if got != v:
                    ok = False
                    break
            if ok:
                out.append(r)
        return out


def run(args, **kw):
    return subprocess.run(args, capture_output=True, timeout=kw.pop("timeout", 30), **kw)


MESSAGE = (b"From: Kuroyagi <kuroyagi@hogehoge.com>\r\nTo: kuroyagi@hogehoge.com\r\n"
           b"Subject: through the bridge\r\nMessage-ID: <bridge-test-1@hogehoge.com>\r\n\r\n"
           b"Hello from a real mail client.\r\nSecond line.\r\n")


def curl_submit(b, port, user, password, sender, rcpt, body=MESSAGE):
    path = os.path.join(b.tmp, "message.eml")
    with open(path, "wb") as f:
        f.write(body)
    return run(["curl", "-sS", "--ssl-reqd", "--cacert", b.ca, f"smtp://127.0.0.1:{port}", "--user", f"{user}:{password}",
                "--mail-from", sender, "--mail-rcpt", rcpt, "--upload-file", path])


# --- cases ------------------------------------------------------------------------------------

def case_curl_submission():
    """curl smtp:// with --ssl-reqd and AUTH on 587: relayed across the simulated Internet, delivered."""
    b = Bridge("op25b-submission", "--expose", "mail-example", "--expose", "mx-hogehoge")
    try:
        p = curl_submit(b, b.port("mail-example", 587), "shiroyagi", "mee-mee", "shiroyagi@example.com",
                        "kuroyagi@hogehoge.com")
        check(p.returncode == 0, f"curl submits on 587 (exit {p.returncode}: {p.stderr.decode()})")
        # Wait until kuroyagi's mailbox at mx1.hogehoge.com has it (read with POP3 through the bridge).
        def arrived():
            try:
                pop = poplib.POP3("127.0.0.1", b.port("mx-hogehoge", 110), timeout=5)
                pop.user("kuroyagi")
                pop.pass_("baa-baa")
                n = pop.stat()[0]
                pop.quit()
                return n > 0
            except (poplib.error_proto, OSError):
                return False
        check(wait_until(arrived), "the message arrives in kuroyagi's mailbox")
        b.stop()
        check(b.found(kind="tls", host="bridged-device", event="established"), "the bridged device's stream is TLS-protected")
        check(b.found(kind="protocol", host="mail-example", peer="bridged-device", summary_has="235"),
              "the server accepted AUTH (235) from the bridged device")
        auth = [r for r in b.found(kind="protocol", host="bridged-device", event="command") if "AUTH" in r["summary"]]
        check(auth and all("bWVl" not in json.dumps(r) and "mee-mee" not in json.dumps(r) for r in b.records),
              "the password never appears in the trace")
        check(b.found(kind="connection", host="mail-example", peer="mx-hogehoge", event="established"),
              "mail.example.com relays to mx1.hogehoge.com")
        check(b.found(kind="mail", host="mx-hogehoge", event="delivered"), "mx1.hogehoge.com delivers it")
    finally:
        b.cleanup()


def case_swaks_op25b():
    """swaks to port 25 from the bridged device meets OP25B (no answer); 587 with AUTH works."""
    b = Bridge("op25b-submission", "--expose", "mail-example")
    try:
        p = run(["swaks", "--server", "127.0.0.1", "--port", str(b.port("mail-example", 25)), "--timeout", "3",
                 "--from", "shiroyagi@example.com", "--to", "kuroyagi@hogehoge.com"])
        out = (p.stdout + p.stderr).decode(errors="replace")
        check(p.returncode != 0 and "imeout" in out, f"swaks on 25 times out (exit {p.returncode}):\n{out}")
        p = run(["swaks", "--server", "127.0.0.1", "--port", str(b.port("mail-example", 587)), "--timeout", "10",
                 "--from", "shiroyagi@example.com", "--to", "kuroyagi@hogehoge.com", "--tls", "--tls-verify",
                 "--tls-ca-path", b.ca, "--auth", "PLAIN", "--auth-user", "shiroyagi", "--auth-password", "mee-mee"])
        out = (p.stdout + p.stderr).decode(errors="replace")
        check(p.returncode == 0 and "250 2.0.0" in out, f"swaks on 587 with STARTTLS and AUTH succeeds:\n{out}")
        b.stop()
        check(b.found(kind="policy", host="bridged-device", detail_rule="op25b"),
              "the trace shows OP25B dropping the bridged device's SYN to port 25")
        check(b.found(kind="mail", host="mail-example", event="queued") or b.found(kind="mail", host="mail-example"),
              "mail.example.com took the message from 587")
    finally:
        b.cleanup()


def case_smtplib_starttls():
    """Python's smtplib with STARTTLS, verifying the server with the generated CA."""
    b = Bridge("op25b-submission", "--expose", "mail-example")
    try:
        ctx = ssl.create_default_context(cafile=b.ca)
        with smtplib.SMTP("127.0.0.1", b.port("mail-example", 587), timeout=10) as s:
            s.ehlo("student-laptop")
            check(s.has_extn("starttls"), "STARTTLS is offered")
            s.starttls(context=ctx)
            check(isinstance(s.sock, ssl.SSLSocket) and s.sock.version() in ("TLSv1.2", "TLSv1.3"), "real TLS is up")
            s.ehlo("student-laptop")
            s.login("shiroyagi", "mee-mee")
            refused = s.sendmail("shiroyagi@example.com", ["kuroyagi@hogehoge.com"], MESSAGE)
            check(refused == {}, f"the message is accepted ({refused})")
        # A client that does not know the CA refuses the certificate.
        with smtplib.SMTP("127.0.0.1", b.port("mail-example", 587), timeout=10) as s:
            s.ehlo("x")
            try:
                s.starttls(context=ssl.create_default_context())
                check(False, "an unknown CA must not verify")
            except ssl.SSLError:
                pass
        b.stop()
        check(b.found(kind="tls", host="mail-example", peer="bridged-device", event="established"),
              "inside the simulation the stream is marked protected")
    finally:
        b.cleanup()


def case_read_pop3_imaps():
    """curl pop3:// (STLS) and imaps:// read the delivered message byte-for-byte."""
    b = Bridge("pop3-download-and-delete", "--expose", "mail")
    try:
        p = curl_submit(b, b.port("mail", 587), "kuroyagi", "clover", "kuroyagi@hogehoge.com", "kuroyagi@hogehoge.com")
        check(p.returncode == 0, f"curl submits ({p.stderr.decode()})")
        def pop3_get():
            q = run(["curl", "-sS", "--ssl-reqd", "--cacert", b.ca, f"pop3://127.0.0.1:{b.port('mail', 110)}/1",
                     "--user", "kuroyagi:clover"])
            return q.stdout if q.returncode == 0 else None
        via_pop3 = wait_until(pop3_get)
        check(via_pop3 and via_pop3.endswith(MESSAGE), f"POP3 (STLS) gives the message as sent:\n{via_pop3!r}")
        q = run(["curl", "-sS", "--cacert", b.ca, f"pop3s://127.0.0.1:{b.port('mail', 995)}/1", "--user", "kuroyagi:clover"])
        check(q.returncode == 0 and q.stdout == via_pop3, f"POP3S (995) gives the same bytes ({q.stderr.decode()})")
        q = run(["curl", "-sS", "--cacert", b.ca, f"imaps://127.0.0.1:{b.port('mail', 993)}/INBOX;UID=1",
                 "--user", "kuroyagi:clover"])
        check(q.returncode == 0 and q.stdout == via_pop3, f"IMAPS (993) gives the same bytes ({q.stderr.decode()}):\n{q.stdout!r}")
        # imaplib with STARTTLS on 143, verifying with the CA.
        m = imaplib.IMAP4("127.0.0.1", b.port("mail", 143), timeout=10)
        m.starttls(ssl_context=ssl.create_default_context(cafile=b.ca))
        m.login("kuroyagi", "clover")
        m.select("INBOX")
        typ, data = m.fetch("1", "(BODY.PEEK[])")
        check(typ == "OK" and data and data[0][1] == via_pop3, "imaplib after STARTTLS gives the same bytes")
        m.logout()
        b.stop()
        check(b.found(kind="tls", host="mail", peer="bridged-device", event="established"),
              "the reads are TLS-protected inside the simulation")
    finally:
        b.cleanup()


def case_smtps_465():
    """Implicit TLS on 465 (RFC 8314): curl smtps:// submits; the scenario is the OP25B lesson with 465 added."""
    tmp = tempfile.mkdtemp(prefix="mailsim-lesson-")
    src = os.path.join(os.environ["MAILSIM_SCENARIOS"], "mail", "op25b-submission.json")
    with open(src) as f:
        lesson = json.load(f)
    for h in lesson["hosts"]:
        if h["id"] == "mail-example":
            h["mail_server"]["ports"] = [{"port": 25, "role": "mx"}, {"port": 587, "role": "submission"},
                                         {"port": 465, "role": "submissions"}]
    path = os.path.join(tmp, "op25b-465.json")
    with open(path, "w") as f:
        json.dump(lesson, f)
    b = Bridge(path, "--expose", "mail-example")
    try:
        check(any(p["sim_port"] == 465 and p["tls"] == "implicit" for p in b.ready["ports"]), "465 is exposed as implicit TLS")
        msg = os.path.join(b.tmp, "message.eml")
        with open(msg, "wb") as f:
            f.write(MESSAGE)
        p = run(["curl", "-sS", "--cacert", b.ca, f"smtps://127.0.0.1:{b.port('mail-example', 465)}", "--user",
                 "shiroyagi:mee-mee", "--mail-from", "shiroyagi@example.com", "--mail-rcpt", "kuroyagi@hogehoge.com",
                 "--upload-file", msg])
        check(p.returncode == 0, f"curl smtps:// submits ({p.stderr.decode()})")
        b.stop()
        check(b.found(kind="tls", host="mail-example", peer="bridged-device", event="established"),
              "the simulated stream to 465 is protected")
        check(b.found(kind="mail", host="mail-example", event="queued"), "the message is queued")
    finally:
        b.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)


def case_tls_required():
    """A lesson whose 587 and 110 require TLS ("require_tls": true): swaks without STARTTLS gets
    530 5.7.0 Must issue a STARTTLS command first, curl pop3:// without STLS is refused; with
    STARTTLS/STLS both succeed."""
    tmp = tempfile.mkdtemp(prefix="mailsim-lesson-")
    src = os.path.join(os.environ["MAILSIM_SCENARIOS"], "mail", "op25b-submission.json")
    with open(src) as f:
        lesson = json.load(f)
    for h in lesson["hosts"]:
        if h["id"] == "mail-example":
            h["mail_server"]["ports"] = [{"port": 25, "role": "mx"},
                                         {"port": 587, "role": "submission", "require_tls": True},
                                         {"port": 110, "role": "pop3", "require_tls": True}]
    path = os.path.join(tmp, "op25b-tls-required.json")
    with open(path, "w") as f:
        json.dump(lesson, f)
    b = Bridge(path, "--expose", "mail-example")
    try:
        port = b.port("mail-example", 587)
        common = ["swaks", "--server", "127.0.0.1", "--port", str(port), "--timeout", "10",
                  "--from", "shiroyagi@example.com", "--to", "kuroyagi@hogehoge.com"]
        p = run(common)
        out = (p.stdout + p.stderr).decode(errors="replace")
        check(p.returncode != 0 and "530 5.7.0 Must issue a STARTTLS command first" in out,
              f"swaks without STARTTLS gets 530 5.7.0 (exit {p.returncode}):\n{out}")
        p = run(common + ["--auth", "PLAIN", "--auth-user", "shiroyagi", "--auth-password", "mee-mee"])
        out = (p.stdout + p.stderr).decode(errors="replace")
        check(p.returncode != 0 and "did not advertise authentication" in out,
              f"AUTH is not offered before STARTTLS, so swaks does not send the password in clear:\n{out}")
        p = run(common + ["--tls", "--tls-verify", "--tls-ca-path", b.ca, "--auth", "PLAIN", "--auth-user", "shiroyagi",
                          "--auth-password", "mee-mee"])
        out = (p.stdout + p.stderr).decode(errors="replace")
        check(p.returncode == 0 and "250 2.0.0" in out, f"swaks with STARTTLS and AUTH succeeds:\n{out}")
        pop = f"pop3://127.0.0.1:{b.port('mail-example', 110)}/"
        p = run(["curl", "-sS", pop, "--user", "shiroyagi:mee-mee"])
        check(p.returncode != 0, f"curl pop3:// without STLS cannot log in (exit {p.returncode}: {p.stderr.decode()})")
        p = run(["curl", "-sS", "--ssl-reqd", "--cacert", b.ca, pop, "--user", "shiroyagi:mee-mee"])
        check(p.returncode == 0, f"curl pop3:// with STLS lists the mailbox (exit {p.returncode}: {p.stderr.decode()})")
        b.stop()
        refusals = b.found(kind="protocol", host="mail-example", peer="bridged-device",
                           summary_has="530 5.7.0 Must issue a STARTTLS command first")
        check(refusals, "the trace has the server's 530 5.7.0 to the bridged device")
        # POP3 before STLS offers neither USER nor SASL, so curl never sends the password in the clear.
        plain = {}
        for r in b.found(kind="protocol", host="bridged-device", proto="pop3", event="command"):
            plain.setdefault(r["conn"], []).append(r["summary"])
        first = [cmds for cmds in plain.values() if not any("STLS" in c for c in cmds)]
        check(first and not any(c.startswith(("C: USER", "C: PASS", "C: AUTH")) for cmds in first for c in cmds),
              f"no login is tried on POP3 without STLS: {plain}")
        check("Must issue a STARTTLS command first" in b.stdout.split("Your mail program")[-1],
              f"the report's section on the real client shows the 530:\n{b.stdout[-2000:]}")
        check(b.found(kind="mail", host="mail-example", event="queued"), "the letter sent over STARTTLS is queued")
    finally:
        b.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)


def case_wrong_password():
    """A wrong password gets 535 and the report says so."""
    b = Bridge("op25b-submission", "--expose", "mail-example")
    try:
        p = curl_submit(b, b.port("mail-example", 587), "shiroyagi", "wrong-password", "shiroyagi@example.com",
                        "kuroyagi@hogehoge.com")
        check(p.returncode == 67, f"curl reports the login denied (exit {p.returncode}: {p.stderr.decode()})")
        b.stop()
        check(b.found(kind="protocol", host="mail-example", summary_has="535 5.7.8"), "the trace has the 535 reply")
        check("Your mail program" in b.stdout and "535 5.7.8" in b.stdout.split("Your mail program")[1],
              f"the report's section on the real client shows the 535 reply:\n{b.stdout[-2000:]}")
        check("wrong-password" not in b.stdout and "wrong-password" not in open(b.trace_path).read(),
              "the wrong password is not shown")
    finally:
        b.cleanup()


def case_dns():
    """dig asks the simulated DNS over UDP through the bridge."""
    b = Bridge("op25b-submission", "--expose", "dns")
    try:
        p = run(["dig", "@127.0.0.1", "-p", str(b.port("dns", 53, "udp")), "MX", "hogehoge.com", "+time=3", "+tries=2"])
        out = p.stdout.decode()
        check(p.returncode == 0 and "mx1.hogehoge.com." in out and "status: NOERROR" in out, f"dig MX over UDP:\n{out}")
        # A flood of queries: the bridge drops what is over its rate and still answers afterwards.
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        query = bytes.fromhex("abcd01000001000000000000") + b"\x08hogehoge\x03com\x00\x00\x0f\x00\x01"
        for _ in range(2000):
            u.sendto(query, ("127.0.0.1", b.port("dns", 53, "udp")))
        u.close()
        def answered():
            q = run(["dig", "@127.0.0.1", "-p", str(b.port("dns", 53, "udp")), "MX", "hogehoge.com", "+time=1", "+tries=1"])
            return q.returncode == 0 and "mx1.hogehoge.com." in q.stdout.decode()
        check(wait_until(answered), "after a flood the DNS port still answers")
        b.stop()
        check(b.found(kind="packet", host="bridged-device", proto="dns") or b.found(kind="dns", host="dns"),
              "the query is in the trace")
        check(b.found(kind="note", event="bridge_dns_flood"), "the dropped flood is noted in the trace")
    finally:
        b.cleanup()


def case_dns_tcp():
    """dig +tcp through the bridge, once the simulated DNS server listens on TCP 53 (skipped before)."""
    b = Bridge("op25b-submission", "--expose", "dns")
    try:
        if not any(p["host"] == "dns" and p["transport"] == "tcp" for p in b.ready["ports"]):
            print("skipped: the simulated DNS server does not listen on TCP 53 yet")
            b.stop()
            sys.exit(77)
        p = run(["dig", "@127.0.0.1", "-p", str(b.port("dns", 53, "tcp")), "+tcp", "MX", "hogehoge.com", "+time=3",
                 "+tries=1"])
        out = p.stdout.decode()
        check(p.returncode == 0 and "mx1.hogehoge.com." in out and "status: NOERROR" in out, f"dig +tcp MX:\n{out}")
        b.stop()
    finally:
        b.cleanup()


def smtp_ready(port, timeout=10):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    greeting = s.recv(4096)
    s.close()
    return greeting


def case_long_line():
    """100 MB without a line end: the client is cut off with 500 5.5.2; the bridge serves others."""
    b = Bridge("op25b-submission", "--expose", "mail-example")
    try:
        port = b.port("mail-example", 587)
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        check(s.recv(4096).startswith(b"220 "), "greeting")
        chunk = b"A" * (1 << 20)
        sent = 0
        try:
            for _ in range(100):
                s.sendall(chunk)
                sent += len(chunk)
        except OSError:
            pass
        answer = b""
        try:
            while True:
                data = s.recv(4096)
                if not data:
                    break
                answer += data
        except OSError:
            pass
        s.close()
        check(sent < 100 * len(chunk) or b"500 5.5.2" in answer, "the flood is stopped before 100 MB went in")
        check(answer == b"" or b"500 5.5.2" in answer, f"the answer is the protocol's own error: {answer[:200]!r}")
        check(smtp_ready(port).startswith(b"220 "), "another client is served afterwards")
        b.stop()
        check(b.found(kind="note", event="bridge_flood"), "the trace notes the cut-off")
    finally:
        b.cleanup()


def case_many_connections():
    """1,000 connections from one client: over the limit they get 421; the bridge keeps serving."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 1100:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    b = Bridge("op25b-submission", "--expose", "mail-example", "--max-connections", "50")
    try:
        port = b.port("mail-example", 587)
        socks = []
        for _ in range(1000):
            s = socket.socket()
            s.settimeout(10)
            s.connect(("127.0.0.1", port))
            s.setblocking(False)
            socks.append(s)
        answers = {}
        end = time.monotonic() + 30
        while len(answers) < len(socks) and time.monotonic() < end:
            waiting = [s for s in socks if s not in answers]
            readable, _, _ = select.select(waiting, [], [], 0.5)
            for s in readable:
                try:
                    answers[s] = s.recv(4096)
                except OSError:
                    answers[s] = b""
        greeted = sum(1 for a in answers.values() if a.startswith(b"220 "))
        busy = sum(1 for a in answers.values() if a.startswith(b"421 4.7.0"))
        check(len(answers) == 1000, f"every connection got an answer ({len(answers)})")
        check(greeted == 50, f"50 connections are served ({greeted})")
        check(busy == 950, f"the other 950 get 421 4.7.0 ({busy})")
        for s in socks:
            s.close()
        check(wait_until(lambda: smtp_ready(port).startswith(b"220 ")), "once they are closed, a new client is served")
        b.stop()
        busy_notes = len(b.found(kind="note", event="bridge_busy"))
        check(busy_notes >= 950, f"each turned-away client is in the trace ({busy_notes})")
    finally:
        b.cleanup()


def case_disconnect_mid_data():
    """A client that vanishes in the middle of DATA: nothing is delivered half, nothing is lost."""
    b = Bridge("op25b-submission", "--expose", "mail-example", "--json")
    try:
        port = b.port("mail-example", 587)
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        f = s.makefile("rb")

        def reply():
            lines = []
            while True:
                line = f.readline()
                lines.append(line)
                if len(line) < 4 or line[3:4] != b"-":
                    return lines

        reply()
        for cmd in [b"EHLO half", b"AUTH PLAIN " + base64.b64encode(b"\0shiroyagi\0mee-mee"),
                    b"MAIL FROM:<shiroyagi@example.com>", b"RCPT TO:<kuroyagi@hogehoge.com>", b"DATA"]:
            s.sendall(cmd + b"\r\n")
            last = reply()[-1]
        check(last.startswith(b"354"), f"DATA is accepted ({last!r})")
        s.sendall(b"Subject: half\r\n\r\nthe first half of a letter\r\n")
        s.close()
        # Another client sends a whole message afterwards.
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as c:
            c.starttls(context=ssl.create_default_context(cafile=b.ca))
            c.login("shiroyagi", "mee-mee")
            check(c.sendmail("shiroyagi@example.com", ["kuroyagi@hogehoge.com"], MESSAGE) == {}, "the next client is served")
        time.sleep(0.5)
        b.stop()
        cons = b.report["conservation"]
        check(cons["holds"], f"mail conservation holds: {cons}")
        check(not any("half" in r.get("summary", "") for r in b.found(kind="mail", event="delivered")),
              "the half message is never delivered")
    finally:
        b.cleanup()


def case_attach_to():
    """--attach-to a provider's network: no OP25B there, so port 25 answers at once."""
    b = Bridge("op25b-submission", "--expose", "mail-example", "--attach-to", "example")
    try:
        check(b.ready["device_ip"].startswith("198.51.100."), f"the device is in example's range ({b.ready['device_ip']})")
        check(smtp_ready(b.port("mail-example", 25)).startswith(b"220 "), "port 25 greets from inside the provider")
        b.stop()
        check(not b.found(kind="policy", host="bridged-device"), "no policy stopped the device")
    finally:
        b.cleanup()


def case_idle_client():
    """A client that says nothing is cut off with 421 4.4.2 after --idle-timeout."""
    b = Bridge("op25b-submission", "--expose", "mail-example", "--idle-timeout", "1s")
    try:
        s = socket.create_connection(("127.0.0.1", b.port("mail-example", 587)), timeout=20)
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        s.close()
        check(data.startswith(b"220 ") and b"421 4.4.2" in data, f"greeting, then 421 4.4.2 ({data!r})")
        b.stop()
        check(b.found(kind="note", event="bridge_idle"), "the trace notes the idle client")
    finally:
        b.cleanup()


def case_imap_idle_push():
    """imaplib in IDLE hears EXISTS when a simulated device's letter arrives (the lesson's laptop at 20 s)."""
    b = Bridge("op25b-submission", "--expose", "mx-hogehoge", "--speed", "5")
    try:
        m = imaplib.IMAP4("127.0.0.1", b.port("mx-hogehoge", 143), timeout=30)
        m.starttls(ssl_context=ssl.create_default_context(cafile=b.ca))
        m.login("kuroyagi", "baa-baa")
        typ, data = m.select("INBOX")
        check(typ == "OK" and data[0] == b"0", f"the mailbox is empty at first ({data})")
        m.send(b"i1 IDLE\r\n")
        check(m.readline().startswith(b"+"), "IDLE is accepted")
        pushed = b""
        while b"EXISTS" not in pushed:
            line = m.readline()
            if not line:
                break
            pushed += line
        check(b"* 1 EXISTS" in pushed, f"the server pushes * 1 EXISTS ({pushed!r})")
        m.send(b"DONE\r\n")
        line = m.readline()
        while line.startswith(b"* "):  # more untagged news (RECENT) may come first
            line = m.readline()
        check(line.startswith(b"i1 OK"), f"DONE ends IDLE ({line!r})")
        m.logout()
        b.stop()
        check(b.found(kind="mail", host="mx-hogehoge", event="delivered"), "the laptop's letter was delivered")
    finally:
        b.cleanup()


def case_exit_when_idle():
    """With --exit-when-idle the bridge ends by itself after the timeline, and reports as `run` does."""
    tmp = tempfile.mkdtemp(prefix="mailsim-bridge-")
    try:
        p = run([MAILSIM, "bridge", "op25b-submission", "--ephemeral-ports", "--ca-dir", os.path.join(tmp, "ca"),
                 "--exit-when-idle", "--speed", "100", "--json"], timeout=60)
        lines = p.stdout.decode().split("\n", 1)
        check(json.loads(lines[0])["bridge"] == "ready", "the first line says where the bridge listens")
        report = json.loads(lines[1])
        check(report["bridge"]["stop_reason"].startswith("the timeline is over"), f"it stopped by itself: {report['bridge']}")
        check(p.returncode == 0 and report["passed"], f"the lesson's expectations hold as in `mailsim run` (exit {p.returncode})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def case_ca_reuse():
    """The local CA is made once (folder 0700, key 0600) and used again by the next bridge."""
    b = Bridge("op25b-submission", "--expose", "mail-example")
    try:
        ca_dir = os.path.dirname(b.ca)
        first = open(b.ca, "rb").read()
        check(os.stat(ca_dir).st_mode & 0o777 == 0o700, "the CA folder is private (0700)")
        check(os.stat(os.path.join(ca_dir, "ca.key")).st_mode & 0o777 == 0o600, "the CA key is private (0600)")
        b.stop()
        check("created now" in b.stderr, "the first bridge says it made the CA")
        args = [MAILSIM, "bridge", "op25b-submission", "--ephemeral-ports", "--ca-dir", ca_dir, "--expose", "mail-example",
                "--for", "60s"]
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        ready = json.loads(proc.stdout.readline())
        check(ready["ca_file"] == b.ca and open(b.ca, "rb").read() == first, "the second bridge uses the same CA")
        ctx = ssl.create_default_context(cafile=b.ca)
        with smtplib.SMTP("127.0.0.1", [p["port"] for p in ready["ports"] if p["sim_port"] == 587][0], timeout=10) as s:
            s.starttls(context=ctx)  # its fresh server certificate verifies with the old CA
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        check(b"created now" not in err, "the second bridge made no new CA")
    finally:
        b.cleanup()


def case_insecure_selfsigned():
    """--insecure-selfsigned: no CA is made; a client that skips verification (curl -k) gets through."""
    b = Bridge("op25b-submission", "--expose", "mail-example", "--insecure-selfsigned")
    try:
        check(b.ca == "" and not os.path.exists(os.path.join(b.tmp, "ca")), "no CA file is made or announced")
        path = os.path.join(b.tmp, "message.eml")
        with open(path, "wb") as f:
            f.write(MESSAGE)
        url = f"smtp://127.0.0.1:{b.port('mail-example', 587)}"
        common = ["--ssl-reqd", url, "--user", "shiroyagi:mee-mee", "--mail-from", "shiroyagi@example.com",
                  "--mail-rcpt", "kuroyagi@hogehoge.com", "--upload-file", path]
        p = run(["curl", "-sS", *common])
        check(p.returncode == 60, f"a verifying client refuses the self-signed certificate (exit {p.returncode})")
        p = run(["curl", "-sS", "-k", *common])
        check(p.returncode == 0, f"curl -k submits ({p.stderr.decode()})")
        b.stop()
    finally:
        b.cleanup()


def case_gui_live():
    """--gui: the app shows the world while real clients are served (it never blocks them)."""
    tmp = tempfile.mkdtemp(prefix="mailsim-bridge-")
    try:
        err = open(os.path.join(tmp, "stderr.txt"), "wb")
        proc = subprocess.Popen(["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", MAILSIM, "bridge", "op25b-submission",
                                 "--ephemeral-ports", "--ca-dir", os.path.join(tmp, "ca"), "--expose", "mail-example",
                                 "--gui", "--for", "8s", "--json"], stdout=subprocess.PIPE, stderr=err)
        ready = json.loads(proc.stdout.readline())
        port = [p["port"] for p in ready["ports"] if p["sim_port"] == 587][0]
        path = os.path.join(tmp, "message.eml")
        with open(path, "wb") as f:
            f.write(MESSAGE)
        p = run(["curl", "-sS", "--ssl-reqd", "--cacert", ready["ca_file"], f"smtp://127.0.0.1:{port}", "--user",
                 "shiroyagi:mee-mee", "--mail-from", "shiroyagi@example.com", "--mail-rcpt", "kuroyagi@hogehoge.com",
                 "--upload-file", path], timeout=60)
        check(p.returncode == 0, f"curl submits while the app is open ({p.stderr.decode()})")
        out, _ = proc.communicate(timeout=90)
        err.close()
        log = open(os.path.join(tmp, "stderr.txt"), errors="replace").read()
        report = json.loads(out)
        check(report["bridge"]["stop_reason"] == "the time given with --for is over", f"stopped by --for: {report['bridge']}\n{log}")
        check(any(c["event"] == "queued" for c in report["bridge"]["client"]), "the report follows the client's message")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_muttrc(b, name, lines):
    path = os.path.join(b.tmp, name)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def mutt_tls_lines(b):
    # As docs/bridge.md tells students: STARTTLS required, the bridge's CA trusted.
    return ["set ssl_starttls = yes", "set ssl_force_tls = yes", f'set ssl_ca_certificates_file = "{b.ca}"',
            f'set certificate_file = "{os.path.join(b.tmp, "mutt-certificates")}"',
            f'set header_cache = ""', f'set message_cachedir = ""', "set timeout = 5", "set connect_timeout = 10"]


def mutt_read(muttrc, out_path, limit=60):
    """Opens the muttrc's spool folder in mutt on a pseudo-terminal, pipes the first message to
    out_path and quits (mutt has no batch mode for reading). Returns mutt's exit status."""
    import pty
    keys = f"push '<pipe-message>cat > {out_path}<enter><exit>'"
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "vt100"
        os.environ["HOME"] = os.path.dirname(muttrc)
        os.execvp("mutt", ["mutt", "-n", "-F", muttrc, "-e", keys])
    end = time.monotonic() + limit
    status = None
    while time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                os.read(fd, 65536)
            except OSError:
                pass
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = st
            break
    if status is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    os.close(fd)
    return status


def case_mutt():
    """mutt sends in batch mode (smtp_url, STARTTLS with the generated CA, AUTH) and reads the
    letter back with IMAP and POP3, with the settings docs/bridge.md gives."""
    if not shutil.which("mutt"):
        print("skipped: mutt is not installed (scripts/install-deps.sh)")
        sys.exit(77)
    b = Bridge("op25b-submission", "--expose", "mail-example", "--expose", "mx-hogehoge")
    try:
        send_rc = write_muttrc(b, "send.muttrc", [
            'set from = "shiroyagi@example.com"', 'set realname = "Shiroyagi"', "set use_from = yes",
            f'set smtp_url = "smtp://shiroyagi@127.0.0.1:{b.port("mail-example", 587)}/"', 'set smtp_pass = "mee-mee"',
            'set record = ""', "set copy = no", 'set hostname = "example.com"', *mutt_tls_lines(b)])
        body = os.path.join(b.tmp, "body.txt")
        with open(body, "w") as f:
            f.write("Hello from mutt through the bridge.\n")
        env = dict(os.environ, HOME=b.tmp)
        p = run(["mutt", "-n", "-F", send_rc, "-s", "Sent with mutt", "kuroyagi@hogehoge.com"], stdin=open(body),
                env=env, timeout=60)
        check(p.returncode == 0, f"mutt sends (exit {p.returncode}): {(p.stdout + p.stderr).decode(errors='replace')}")

        def arrived():
            try:
                pop = poplib.POP3("127.0.0.1", b.port("mx-hogehoge", 110), timeout=5)
                pop.stls(context=ssl.create_default_context(cafile=b.ca))
                pop.user("kuroyagi")
                pop.pass_("baa-baa")
                n = pop.stat()[0]
                pop.quit()
                return n > 0
            except (poplib.error_proto, OSError):
                return False
        check(wait_until(arrived), "the letter arrives in kuroyagi's mailbox at mx1.hogehoge.com")
        for proto, port in (("imap", 143), ("pop", 110)):
            folder = f"{proto}://kuroyagi@127.0.0.1:{b.port('mx-hogehoge', port)}/" + ("INBOX" if proto == "imap" else "")
            # POP3 has no folders: mutt's folder stays a local one that exists (else it asks to create it).
            read_rc = write_muttrc(b, f"read-{proto}.muttrc", [
                f'set spoolfile = "{folder}"', f'set folder = "{folder if proto == "imap" else "~"}"',
                f'set {proto}_pass = "baa-baa"',
                "set wait_key = no", "set quit = yes", "set move = no", "set pipe_decode = no",
                "set delete = no", "set mark_old = no", *mutt_tls_lines(b)])
            out = os.path.join(b.tmp, f"read-{proto}.eml")
            status = mutt_read(read_rc, out)
            got = open(out, "rb").read() if os.path.exists(out) else b""
            check(status is not None and got, f"mutt reads with {proto.upper()} and pipes the letter (status {status})")
            check(b"Subject: Sent with mutt" in got and b"Hello from mutt through the bridge." in got,
                  f"the letter read with {proto.upper()} is the one sent:\n{got[:600]!r}")
        b.stop()
        cmds = [r["summary"] for r in b.found(kind="protocol", host="bridged-device", event="command")]
        check(any("STARTTLS" in c for c in cmds) and any("STLS" in c for c in cmds),
              f"mutt used STARTTLS (SMTP, IMAP) and STLS (POP3): {cmds}")
        check(any(c.startswith("C: AUTH ") for c in cmds), "mutt logged in with SMTP AUTH")
        check(not any("mee-mee" in json.dumps(r) or "baa-baa" in json.dumps(r) for r in b.records),
              "no password in the trace")
        check(b.found(kind="mail", host="mx-hogehoge", event="delivered"), "mx1.hogehoge.com delivered it")
    finally:
        b.cleanup()


def case_gui_bridge_live():
    """The issue's spelling: `mailsim gui --bridge LESSON` runs the bridge inside the app (the
    bridge's options in the app's command line); a real client is served while the window is open."""
    tmp = tempfile.mkdtemp(prefix="mailsim-bridge-")
    try:
        err = open(os.path.join(tmp, "stderr.txt"), "wb")
        proc = subprocess.Popen(["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", MAILSIM, "gui", "--bridge",
                                 "op25b-submission", "--ephemeral-ports", "--ca-dir", os.path.join(tmp, "ca"),
                                 "--expose", "mail-example", "--for", "8s", "--json", "--lang", "ja", "--size", "1024x640"],
                                stdout=subprocess.PIPE, stderr=err)
        ready = json.loads(proc.stdout.readline())
        port = [p["port"] for p in ready["ports"] if p["sim_port"] == 587][0]
        path = os.path.join(tmp, "message.eml")
        with open(path, "wb") as f:
            f.write(MESSAGE)
        p = run(["curl", "-sS", "--ssl-reqd", "--cacert", ready["ca_file"], f"smtp://127.0.0.1:{port}", "--user",
                 "shiroyagi:mee-mee", "--mail-from", "shiroyagi@example.com", "--mail-rcpt", "kuroyagi@hogehoge.com",
                 "--upload-file", path], timeout=60)
        check(p.returncode == 0, f"curl submits while the app is open ({p.stderr.decode()})")
        out, _ = proc.communicate(timeout=90)
        err.close()
        log = open(os.path.join(tmp, "stderr.txt"), errors="replace").read()
        report = json.loads(out)
        check(report["bridge"]["stop_reason"] == "the time given with --for is over", f"stopped by --for: {report['bridge']}\n{log}")
        check(any(c["event"] == "queued" for c in report["bridge"]["client"]), "the report follows the client's message")
        # Bridge options without --bridge, and --bridge without a lesson, are refused.
        p = run([MAILSIM, "gui", "op25b-submission", "--expose", "mail-example"], timeout=10)
        check(p.returncode == 2 and "add --bridge" in p.stderr.decode(), f"--expose needs --bridge ({p.stderr.decode()})")
        p = run([MAILSIM, "gui", "--bridge"], timeout=10)
        check(p.returncode == 2 and "needs a scenario" in p.stderr.decode(), f"--bridge needs a lesson ({p.stderr.decode()})")
        p = run([MAILSIM, "gui", "--bridge", "op25b-submission", "--screenshot", os.path.join(tmp, "x.png")], timeout=10)
        check(p.returncode == 2 and "live world" in p.stderr.decode(), f"no screenshot of a bridge ({p.stderr.decode()})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def case_loopback_only():
    """The bridge listens on 127.0.0.1 only and has no socket to any other address."""
    b = Bridge("op25b-submission")
    try:
        pid = b.proc.pid
        inodes = set()
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
        rows = []
        for table in ["tcp", "udp", "tcp6", "udp6"]:
            with open(f"/proc/{pid}/net/{table}") as f:
                next(f)
                for line in f:
                    parts = line.split()
                    if parts[9] in inodes:
                        rows.append((table, parts[1], parts[2]))
        expected = len(b.ready["ports"])
        check(len(rows) >= expected, f"every listening socket is found ({len(rows)} of {expected})")
        for table, local, remote in rows:
            check(table in ("tcp", "udp"), f"no IPv6 socket ({table} {local})")
            check(local.split(":")[0] == "0100007F", f"{table} socket bound to 127.0.0.1 ({local})")
            check(remote.split(":")[0] in ("00000000", "0100007F"), f"{table} socket talks to nobody outside ({remote})")
        b.stop()
    finally:
        b.cleanup()


def case_faults():
    """--faults: a seeded fault plan answers real clients too (SERVFAIL to dig, 451 to MAIL), and
    each firing is a trace record naming its rule; a wrong plan is refused with exit 2."""
    plan_dir = tempfile.mkdtemp(prefix="mailsim-faults-")
    plan = os.path.join(plan_dir, "plan.json")
    with open(plan, "w") as f:
        json.dump({"faults": [
            {"id": "dns-outage", "host": "dns", "at": "dns", "qtype": "MX", "action": "servfail"},
            {"id": "no-mail", "host": "mail-example", "port": 587, "at": "mail", "action": "reply", "code": 451,
             "text": "4.3.0 Try again later"}]}, f)
    b = Bridge("op25b-submission", "--expose", "dns", "--expose", "mail-example", "--faults", plan)
    try:
        p = run(["dig", "@127.0.0.1", "-p", str(b.port("dns", 53, "udp")), "MX", "hogehoge.com", "+time=3", "+tries=2"])
        out = p.stdout.decode()
        check("status: SERVFAIL" in out, f"dig gets SERVFAIL from the fault rule:\n{out}")
        s = smtplib.SMTP("127.0.0.1", b.port("mail-example", 587), timeout=20)
        s.ehlo("client.example")
        code, msg = s.mail("shiroyagi@example.com")
        check(code == 451 and b"Try again later" in msg, f"MAIL gets the rule's 451 ({code} {msg!r})")
        s.quit()
        b.stop()
        check(b.found(kind="note", event="fault", detail_rule="dns-outage"), "the trace names dns-outage")
        check(b.found(kind="note", event="fault", detail_rule="no-mail"), "the trace names no-mail")
    finally:
        b.cleanup()
    with open(plan, "w") as f:
        json.dump({"faults": [{"id": "x", "at": "dns", "action": "reset"}]}, f)
    p = run([MAILSIM, "bridge", "op25b-submission", "--ephemeral-ports", "--faults", plan], timeout=10)
    check(p.returncode == 2 and "/faults/0/action" in p.stderr.decode(), f"a wrong plan: exit 2 ({p.stderr.decode()})")
    shutil.rmtree(plan_dir, ignore_errors=True)


def case_bad_arguments():
    """Bad arguments: exit 2 and a clear error."""
    for args, words in [(["--attach-to", "nowhere"], "no such network"),
                        (["--expose", "nohost"], "no such host"),
                        (["--for", "soon"], "--for"),
                        (["--port-offset", "70000"], "port-offset")]:
        p = run([MAILSIM, "bridge", "op25b-submission", "--ephemeral-ports", *args], timeout=10)
        err = p.stderr.decode()
        check(p.returncode == 2 and words in err, f"{args}: exit 2 and '{words}' ({p.returncode}: {err})")


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}

if __name__ == "__main__":
    if CASE not in CASES:
        raise SystemExit(f"unknown case {CASE}; cases: {', '.join(CASES)}")
    CASES[CASE]()
    if FAILS:
        print(f"{len(FAILS)} check(s) failed")
        sys.exit(1)
    print("ok")
