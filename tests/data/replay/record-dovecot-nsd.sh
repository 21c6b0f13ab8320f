#!/usr/bin/env bash
# How the Dovecot (IMAP, POP3) and NSD (DNS) recordings in this folder were made: as root on
# Debian 12 (dovecot-imapd dovecot-pop3d nsd curl tcpdump bind9-dnsutils), 127.0.0.1 only,
# servers started from the configs in servers/ on ports 10143, 10110 and 10053.
set -euo pipefail
cd "$(dirname "$0")"
RUN=$(mktemp -d /tmp/mailsim-record.XXXXXX)
chmod 755 "$RUN"
for f in dovecot.conf nsd.conf; do sed "s|@RUN@|$RUN|g" "servers/$f" > "$RUN/$f"; done
cp servers/hogehoge.com.zone "$RUN/"
echo "shiroyagi:{PLAIN}meadow" > "$RUN/users"
mkdir -p "$RUN/mail/shiroyagi/Maildir/"{new,cur,tmp}
printf 'From: kuroyagi@hogehoge.com\r\nTo: shiroyagi@example.com\r\nSubject: hello from dovecot\r\nDate: Mon, 07 Dec 2026 09:00:00 +0900\r\nMessage-ID: <rec-1@hogehoge.com>\r\n\r\nHello, a message stored in Dovecot.\r\n' \
  > "$RUN/mail/shiroyagi/Maildir/new/1796601600.M1P1.recorder"
chown -R mail:mail "$RUN/mail"
dovecot -c "$RUN/dovecot.conf"
nsd -d -c "$RUN/nsd.conf" & nsd_pid=$!
trap 'doveadm -c "$RUN/dovecot.conf" stop || true; kill $nsd_pid || true; sleep 1; rm -rf "$RUN" || true' EXIT
sleep 2

# capture FILE FILTER -- COMMAND...: tcpdump on lo (Ethernet link type) while COMMAND runs.
capture() {
  local file=$1 filter=$2; shift 3
  tcpdump -q -U -i lo -w "$file" "$filter" 2>/dev/null & cap=$!
  sleep 2
  "$@"
  sleep 1
  kill $cap; wait $cap || true
}

# IMAP: curl fetches message 1 (AUTHENTICATE PLAIN, SASL-IR as Dovecot offers it).
capture imap-dovecot-curl.pcap "tcp port 10143" -- curl -s --trace-ascii imap-dovecot-curl.curl.txt -u shiroyagi:meadow \
  "imap://127.0.0.1:10143/INBOX;UID=1" -o /dev/null
# IMAP: Python's imaplib: LOGIN, ID, NAMESPACE, LIST, SELECT, FETCH, STORE, LOGOUT.
capture imap-dovecot-imaplib.pcap "tcp port 10143" -- sh -c "/usr/bin/python3 imaplib_dovecot_client.py 10143 2> imap-dovecot-imaplib.log"
# POP3: curl with AUTH PLAIN (the empty "+ " challenge, then the response), RETR 1.
capture pop3-dovecot-curl.pcap "tcp port 10110" -- curl -s --trace-ascii pop3-dovecot-curl.curl.txt \
  -u shiroyagi:meadow "pop3://127.0.0.1:10110/1" -o /dev/null
# DNS: dig over UDP (EDNS), over TCP, and a TXT answer too big for 512 octets (TC, then TCP).
capture dns-dig-nsd.pcap "port 10053" -- sh -c "dig @127.0.0.1 -p 10053 MX hogehoge.com > dns-dig-nsd.dig.txt; \
  dig @127.0.0.1 -p 10053 +tcp A www.hogehoge.com >> dns-dig-nsd.dig.txt; \
  dig @127.0.0.1 -p 10053 +bufsize=512 TXT big.hogehoge.com >> dns-dig-nsd.dig.txt"
