# A tiny SMTP server for recording test sessions (Python 3.11's smtpd); listens on 127.0.0.1 only.
# Usage: /usr/bin/python3 smtp_server.py PORT   (recipients at nobody.example are refused)
import asyncore
import smtpd
import sys


class Server(smtpd.SMTPServer):
    def process_message(self, peer, mailfrom, rcpttos, data, **kwargs):
        if any(r.endswith("@nobody.example") for r in rcpttos):
            return "550 5.1.1 Recipient address rejected"
        return None


class Channel(smtpd.SMTPChannel):
    def smtp_RCPT(self, arg):
        if arg and "@nobody.example" in arg:
            self.push("550 5.1.1 <" + arg.split("<")[-1].rstrip(">") + ">: Recipient address rejected")
            return
        super().smtp_RCPT(arg)


Server.channel_class = Channel
Server(("127.0.0.1", int(sys.argv[1])), None, decode_data=False)
asyncore.loop()
