# A tiny POP3 server (RFC 1939) with one mailbox of two messages, for recording test sessions on 127.0.0.1.
# Usage: /usr/bin/python3 pop3_server.py PORT   (any user; password "secret")
import socketserver
import sys

MESSAGES = [b"Subject: first\r\n\r\nHello one\r\n", b"Subject: second\r\n\r\nHello two\r\n"]


class Session(socketserver.StreamRequestHandler):
    def say(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        deleted = set()
        self.say("+OK tiny POP3 ready")
        for raw in self.rfile:
            words = raw.decode(errors="replace").strip().split(" ")
            verb = words[0].upper()
            arg = int(words[1]) if len(words) > 1 and words[1].isdigit() else 0
            if verb == "CAPA":
                self.wfile.write(b"+OK\r\nUSER\r\nUIDL\r\nTOP\r\n.\r\n")
            elif verb == "USER":
                self.say("+OK send PASS")
            elif verb == "PASS":
                self.say("+OK logged in" if words[1:] == ["secret"] else "-ERR [AUTH] wrong password")
            elif verb == "STAT":
                self.say("+OK %d %d" % (len(MESSAGES), sum(map(len, MESSAGES))))
            elif verb == "LIST" and not arg:
                self.wfile.write(b"+OK\r\n" + b"".join(b"%d %d\r\n" % (i + 1, len(m)) for i, m in enumerate(MESSAGES)) + b".\r\n")
            elif verb == "RETR" and 1 <= arg <= len(MESSAGES):
                self.wfile.write(b"+OK %d octets\r\n" % len(MESSAGES[arg - 1]) + MESSAGES[arg - 1] + b".\r\n")
            elif verb == "DELE" and 1 <= arg <= len(MESSAGES):
                deleted.add(arg)
                self.say("+OK message %d deleted" % arg)
            elif verb == "QUIT":
                self.say("+OK bye")
                return
            else:
                self.say("-ERR unknown command")


socketserver.TCPServer.allow_reuse_address = True
socketserver.TCPServer(("127.0.0.1", int(sys.argv[1])), Session).serve_forever()
