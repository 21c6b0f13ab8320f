# The IMAP session recorded as imap-dovecot-imaplib.*: Python's imaplib against Dovecot on 127.0.0.1.
import imaplib
import sys

imaplib.Debug = 4  # imaplib's own transcript on stderr
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
m.login("shiroyagi", "meadow")
m.xatom("ID", '("name" "imaplib")')
m.namespace()
m.list('""', "*")
m.select("INBOX")
m.fetch("1", "(FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
m.store("1", "+FLAGS", "(\\Seen)")
m.logout()
