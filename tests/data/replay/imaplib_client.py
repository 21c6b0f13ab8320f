# Python imaplib with debugging, fetching message 1 from imap_server.py on 127.0.0.1 (for recording).
# Usage: /usr/bin/python3 imaplib_client.py PORT
import imaplib
import sys

imaplib.Debug = 0
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
m.login("kuroyagi", "secret")
m.select("INBOX")
typ, data = m.fetch("1", "(BODY[])")
print(data[0][1].decode())
m.logout()
