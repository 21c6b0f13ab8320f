# A tiny authoritative DNS server (RFC 1035) for recording test sessions on 127.0.0.1, over UDP
# and TCP (2-byte length prefix). It answers MX and A for hogehoge.com and NXDOMAIN for the rest.
# Usage: /usr/bin/python3 dns_server.py PORT
import socket
import socketserver
import struct
import sys
import threading

ZONE = {
    ("hogehoge.com", 15): [(b"\x00\x0a" + b"\x03mx1\x08hogehoge\x03com\x00")],
    ("mx1.hogehoge.com", 1): [bytes([203, 0, 113, 25])],
    ("hogehoge.com", 1): [bytes([203, 0, 113, 80])],
}


def qname(msg, at):
    labels = []
    while msg[at]:
        n = msg[at]
        labels.append(msg[at + 1:at + 1 + n].decode())
        at += 1 + n
    return ".".join(labels).lower(), at + 1


def answer(query):
    ident, flags = struct.unpack("!HH", query[:4])
    name, end = qname(query, 12)
    qtype, qclass = struct.unpack("!HH", query[end:end + 4])
    question = query[12:end + 4]
    rdatas = ZONE.get((name, qtype), [])
    known = any(n == name for n, _ in ZONE)
    rcode = 0 if known else 3
    rd = flags & 0x0100
    head = struct.pack("!HHHHHH", ident, 0x8400 | rd | rcode, 1, len(rdatas), 0, 0)
    out = head + question
    for r in rdatas:
        out += b"\xc0\x0c" + struct.pack("!HHIH", qtype, 1, 3600, len(r)) + r
    return out


class Udp(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        sock.sendto(answer(data), self.client_address)


class Tcp(socketserver.StreamRequestHandler):
    def handle(self):
        while True:
            size = self.rfile.read(2)
            if len(size) < 2:
                return
            query = self.rfile.read(struct.unpack("!H", size)[0])
            reply = answer(query)
            self.wfile.write(struct.pack("!H", len(reply)) + reply)


port = int(sys.argv[1])
socketserver.UDPServer.allow_reuse_address = True
socketserver.TCPServer.allow_reuse_address = True
udp = socketserver.UDPServer(("127.0.0.1", port), Udp)
tcp = socketserver.TCPServer(("127.0.0.1", port), Tcp)
threading.Thread(target=udp.serve_forever, daemon=True).start()
tcp.serve_forever()
