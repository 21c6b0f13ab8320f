# Sends one message with smtplib at debug level 2 (the transcript goes to stderr); one recipient is refused.
import smtplib
import sys

s = smtplib.SMTP(local_hostname="pc.example.com")
s.set_debuglevel(2)
s.connect("127.0.0.1", int(sys.argv[1]))
s.ehlo("pc.example.com")
try:
    s.sendmail("shiroyagi@example.com", ["kuroyagi@hogehoge.com", "ghost@nobody.example"],
               "Subject: hello from smtplib\r\n\r\nHello from smtplib\r\n")
except smtplib.SMTPRecipientsRefused:
    pass
s.quit()
