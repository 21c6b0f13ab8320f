#!/usr/bin/env bash
# How the captures and transcripts in this folder were made (run as root, on 127.0.0.1 only).
# Needs: swaks curl tcpdump tshark and Debian's /usr/bin/python3 (3.11, which still has smtpd).
set -euo pipefail
cd "$(dirname "$0")"
PORT=2525
/usr/bin/python3 smtp_server.py $PORT & server=$!
trap 'kill $server' EXIT
sleep 1

# capture FILE IFACE FORMAT -- COMMAND...: records port $PORT while COMMAND runs.
capture() {
  local file=$1 iface=$2 format=$3; shift 4
  if [[ $format == pcapng ]]; then
    tshark -q -i "$iface" -f "tcp port $PORT" -F pcapng -w "$file" & cap=$!
  else
    tcpdump -q -U -i "$iface" -w "$file" "tcp port $PORT" 2>/dev/null & cap=$!
  fi
  sleep 4
  "$@"
  sleep 1
  kill $cap; wait $cap || true
}

# 1. swaks: its output, the packets (Ethernet on lo) and tshark's follow YAML of them.
capture smtp-swaks.pcap lo pcap -- sh -c "swaks --server 127.0.0.1:$PORT --helo pc.example.com \
  --from shiroyagi@example.com --to kuroyagi@hogehoge.com --header 'Subject: hello' \
  --add-header 'Date: Sun, 06 Dec 2026 12:00:00 +0000' --body 'Hello from swaks' > smtp-swaks.swaks.txt 2>&1"
tshark -r smtp-swaks.pcap -q -z follow,tcp,yaml,0 > smtp-swaks.tshark.yaml

# 2. curl --trace-ascii, captured as pcapng.
printf 'Subject: hello from curl\r\n\r\nHello from curl\r\n' > /tmp/replay-curl-msg.txt
capture smtp-curl.pcapng lo pcapng -- curl -s --trace-ascii smtp-curl.curl.txt "smtp://127.0.0.1:$PORT" \
  --mail-from shiroyagi@example.com --mail-rcpt kuroyagi@hogehoge.com -T /tmp/replay-curl-msg.txt

# 3. Python smtplib with set_debuglevel(2), one recipient refused; captured on "any" (Linux cooked SLL2).
capture smtp-smtplib.pcap any pcap -- sh -c "/usr/bin/python3 smtplib_client.py $PORT 2> smtp-smtplib.smtplib.txt"

# 4. POP3: curl --trace-ascii retrieving message 1, captured as pcap, against pop3_server.py.
kill $server; wait $server 2>/dev/null || true
PORT=1110
/usr/bin/python3 pop3_server.py $PORT & server=$!
sleep 1
capture pop3-curl.pcap lo pcap -- curl -s --trace-ascii pop3-curl.curl.txt -u kuroyagi:secret "pop3://127.0.0.1:$PORT/1" -o /dev/null

# 5. IMAP: Python imaplib and curl against imap_server.py, captured as pcap.
kill $server; wait $server 2>/dev/null || true
PORT=1143
/usr/bin/python3 imap_server.py $PORT & server=$!
sleep 1
capture imap-imaplib.pcap lo pcap -- sh -c "/usr/bin/python3 imaplib_client.py $PORT > /dev/null"
capture imap-curl.pcap lo pcap -- curl -s -u kuroyagi:secret "imap://127.0.0.1:$PORT/INBOX;UID=1" -o /dev/null

# 6. DNS: dig against dns_server.py on port 5353 (UDP and, with +tcp, TCP).
kill $server; wait $server 2>/dev/null || true
PORT=5353
/usr/bin/python3 dns_server.py $PORT & server=$!
sleep 1
dnscapture() {
  tcpdump -q -U -i lo -w dns-dig.pcap "port $PORT" 2>/dev/null & cap=$!
  sleep 4
  dig @127.0.0.1 -p $PORT mx hogehoge.com > /dev/null
  dig @127.0.0.1 -p $PORT a mx1.hogehoge.com > /dev/null
  dig @127.0.0.1 -p $PORT +tcp mx hogehoge.com > /dev/null
  dig @127.0.0.1 -p $PORT a nosuch.example > /dev/null
  sleep 1
  kill $cap; wait $cap || true
}
dnscapture
