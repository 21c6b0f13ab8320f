#!/usr/bin/env bash
# Real dig (BIND 9) and kdig (Knot) against the protocols/dns engine on 127.0.0.1
# (dns_loopback_server): UDP with EDNS, TCP, TC then the TCP retry, BADVERS, no EDNS, two
# queries on one kept-open TCP connection.
# Usage: dig_check.sh PATH/TO/dns_loopback_server
set -euo pipefail
server=$1
command -v dig >/dev/null || { echo "dig is not installed (apt-get install bind9-dnsutils)"; exit 1; }
coproc SERVER { exec "$server"; }
trap 'exec {SERVER[1]}>&-; wait $SERVER_PID 2>/dev/null || true' EXIT
read -r word port <&"${SERVER[0]}"
[[ $word == port ]] || { echo "server did not start"; exit 1; }
d() { dig @127.0.0.1 -p "$port" +tries=1 +time=2 "$@"; }
fail=0
expect() {  # expect NAME REGEX OUTPUT
  if grep -Eq -- "$2" <<<"$3"; then echo "ok   $1"; else echo "FAIL $1: no /$2/ in:"; echo "$3"; fail=1; fi
}
out=$(d MX hogehoge.com)
expect "udp answer" "status: NOERROR" "$out"
expect "udp aa flag" "flags: qr aa rd;" "$out"
expect "udp edns" "EDNS: version: 0, flags:; udp: 1232" "$out"
expect "udp mx" "hogehoge.com\.[[:space:]]+3600[[:space:]]+IN[[:space:]]+MX[[:space:]]+10 mx1\.hogehoge\.com\." "$out"
expect "udp glue" "ADDITIONAL: 3" "$out"
out=$(d +tcp A www.hogehoge.com)
expect "tcp answer" "web\.hogehoge\.com\.[[:space:]]+300[[:space:]]+IN[[:space:]]+A[[:space:]]+203\.0\.113\.80" "$out"
expect "tcp over tcp" "\(TCP\)" "$out"
out=$(d TXT big.hogehoge.com)
expect "tc then tcp" "Truncated, retrying in TCP mode" "$out"
expect "tc whole answer" "ANSWER: 20," "$out"
out=$(d +ignore TXT big.hogehoge.com)
expect "tc flag kept" "flags: qr aa tc rd;" "$out"
expect "tc keeps opt" "EDNS: version: 0" "$out"
out=$(d +edns=1 +noednsnegotiation MX hogehoge.com)
expect "badvers" "status: BADVERS" "$out"
out=$(d +noedns MX hogehoge.com)
expect "no edns, no opt" "ANSWER: 2, AUTHORITY: 0, ADDITIONAL: 2" "$out"
out=$(d +tcp +keepopen hogehoge.com MX mx2.hogehoge.com A)
expect "keepopen 1st" "IN[[:space:]]+MX[[:space:]]+20 mx2" "$out"
expect "keepopen 2nd" "mx2\.hogehoge\.com\.[[:space:]]+3600[[:space:]]+IN[[:space:]]+A[[:space:]]+203\.0\.113\.26" "$out"
out=$(d A nowhere.hogehoge.com)
expect "nxdomain" "status: NXDOMAIN" "$out"
out=$(d A example.org)
expect "refused" "status: REFUSED" "$out"
if command -v kdig >/dev/null; then
  k() { kdig @127.0.0.1 -p "$port" +retry=0 +timeout=2 "$@"; }
  out=$(k +edns MX hogehoge.com)
  expect "kdig udp edns" "Version: 0; flags: ; UDP size: 1232 B" "$out"
  expect "kdig udp answer" "status: NOERROR" "$out"
  out=$(k +tcp A www.hogehoge.com)
  expect "kdig tcp" "From 127.0.0.1@[0-9]+\(TCP\)" "$out"
  expect "kdig tcp answer" "web\.hogehoge\.com\.[[:space:]]+300[[:space:]]+IN[[:space:]]+A[[:space:]]+203\.0\.113\.80" "$out"
  out=$(k TXT big.hogehoge.com 2>&1)
  expect "kdig tc then tcp" "truncated reply .*retrying over TCP" "$out"
  expect "kdig whole answer" "ANSWER: 20;" "$out"
  out=$(k +edns=1 MX hogehoge.com)
  expect "kdig badvers" "ext-rcode: BADVERS" "$out"
else
  echo "kdig is not installed (apt-get install knot-dnsutils): its checks are skipped"
fi
exit $fail
