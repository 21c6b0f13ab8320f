# A tiny IMAP4rev1 server (RFC 3501) with one mailbox of two messages, for recording test sessions on 127.0.0.1.
# Usage: /usr/bin/python3 imap_server.py PORT   (any user; password "secret")
import socketserver
import sys

MESSAGES = [b"Subject: first\r\n\r\nHello one\r\n", b"Subject: second\r\n\r\nHello two\r\n"]
CAPS = b"IMAP4rev1 LITERAL+"


class Session(socketserver.StreamRequestHandler):
    def say(self, data):
        self.wfile.write(data + b"\r\n")

    def handle(self):
        self.say(b"* OK [CAPABILITY " + CAPS + b"] tiny IMAP ready")
        selected = False
        for raw in self.rfile:
            line = raw.rstrip(b"\r\n")
            parts = line.split(b" ", 2)
            if len(parts) < 2:
                self.say(b"* BAD missing command")
                continue
            tag, cmd = parts[0], parts[1].upper()
            args = parts[2] if len(parts) > 2 else b""
            uid = False
            if cmd == b"UID":
                uid = True
                sub = args.split(b" ", 1)
                cmd, args = sub[0].upper(), (sub[1] if len(sub) > 1 else b"")
            if cmd == b"CAPABILITY":
                self.say(b"* CAPABILITY " + CAPS)
                self.say(tag + b" OK CAPABILITY completed")
            elif cmd == b"LOGIN":
                words = args.replace(b'"', b"").split(b" ")
                if len(words) == 2 and words[1] == b"secret":
                    self.say(tag + b" OK LOGIN completed")
                else:
                    self.say(tag + b" NO [AUTHENTICATIONFAILED] wrong password")
            elif cmd in (b"SELECT", b"EXAMINE"):
                selected = True
                self.say(b"* %d EXISTS" % len(MESSAGES))
                self.say(b"* 0 RECENT")
                self.say(b"* FLAGS (\\Seen \\Deleted)")
                self.say(b"* OK [UIDVALIDITY 42] UIDs valid")
                self.say(b"* OK [UIDNEXT 3] next UID")
                self.say(tag + b" OK [READ-WRITE] SELECT completed")
            elif cmd == b"FETCH" and selected:
                which = args.split(b" ", 1)[0]
                n = int(which) if which.isdigit() else 1
                if 1 <= n <= len(MESSAGES):
                    body = MESSAGES[n - 1]
                    self.wfile.write(b"* %d FETCH (UID %d BODY[] {%d}\r\n" % (n, n, len(body)) + body + b")\r\n")
                    self.say(tag + b" OK FETCH completed")
                else:
                    self.say(tag + b" NO no such message")
            elif cmd == b"NOOP":
                self.say(tag + b" OK NOOP completed")
            elif cmd == b"LOGOUT":
                self.say(b"* BYE tiny IMAP logging out")
                self.say(tag + b" OK LOGOUT completed")
                return
            else:
                self.say(tag + b" BAD unknown command")


socketserver.TCPServer.allow_reuse_address = True
socketserver.TCPServer(("127.0.0.1", int(sys.argv[1])), Session).serve_forever()
