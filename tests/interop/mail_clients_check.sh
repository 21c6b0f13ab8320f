#!/usr/bin/env bash
# curl and Python's poplib/imaplib against the POP3 and IMAP server engines on 127.0.0.1
# (mail_loopback_server): curl's AUTH PLAIN with initial response (RFC 5034) and IMAP
# AUTHENTICATE PLAIN with SASL-IR, AUTH LOGIN, ID, NAMESPACE, SPECIAL-USE LIST, unknown commands.
# Usage: mail_clients_check.sh PATH/TO/mail_loopback_server
set -euo pipefail
server=$1
coproc SERVER { exec "$server"; }
trap 'exec {SERVER[1]}>&-; wait $SERVER_PID 2>/dev/null || true' EXIT
read -r w1 pop w2 imap <&"${SERVER[0]}"
[[ $w1 == pop3 && $w2 == imap ]] || { echo "server did not start"; exit 1; }
fail=0
expect() {  # expect NAME REGEX OUTPUT
  if grep -Eq -- "$2" <<<"$3"; then echo "ok   $1"; else echo "FAIL $1: no /$2/ in:"; echo "$3"; fail=1; fi
}
if command -v curl >/dev/null; then
  out=$(curl -sS -v --max-time 10 -u alice:wonderland "pop3://127.0.0.1:$pop/1" 2>&1)
  expect "curl pop3 AUTH PLAIN, empty challenge" "< \+ " "$out"
  expect "curl pop3 logged in" "< \+OK alice's maildrop has 1 messages" "$out"
  expect "curl pop3 message" "Hello from the loopback\." "$out"
  out=$(curl -sS -v --max-time 10 --sasl-ir -u alice:wonderland "pop3://127.0.0.1:$pop/1" 2>&1)
  expect "curl pop3 AUTH PLAIN with initial response" "> AUTH PLAIN [A-Za-z0-9+/=]+" "$out"
  expect "curl pop3 SASL-IR message" "Hello from the loopback\." "$out"
  out=$(curl -sS -v --max-time 10 --login-options AUTH=LOGIN -u alice:wonderland "pop3://127.0.0.1:$pop/1" 2>&1)
  expect "curl pop3 AUTH LOGIN" "< \+ UGFzc3dvcmQ6" "$out"
  expect "curl pop3 AUTH LOGIN message" "Hello from the loopback\." "$out"
  out=$(curl -sS -v --max-time 10 -u alice:nope "pop3://127.0.0.1:$pop/1" 2>&1 || true)
  expect "curl pop3 wrong password" "-ERR \[AUTH\] invalid user name or password" "$out"
  out=$(curl -sS -v --max-time 10 -u alice:wonderland "imap://127.0.0.1:$imap/INBOX;UID=1" 2>&1)
  expect "curl imap SASL-IR" "> [A-Z0-9]+ AUTHENTICATE PLAIN [A-Za-z0-9+/=]+" "$out"
  expect "curl imap message" "Hello from the loopback\." "$out"
  out=$(curl -sS -v --max-time 10 -u alice:wonderland "imap://127.0.0.1:$imap/" 2>&1)
  expect "curl imap LIST special-use" "\* LIST \(\\\\HasNoChildren \\\\Sent\) \"/\" Sent" "$out"
else
  echo "curl is not installed: its checks are skipped"
fi
if command -v python3 >/dev/null; then
  out=$(python3 - "$pop" "$imap" <<'PY' 2>&1
import imaplib, poplib, sys
pop, imap = int(sys.argv[1]), int(sys.argv[2])
p = poplib.POP3("127.0.0.1", pop, timeout=10)
print("capa", sorted(p.capa().keys()))
print("auth-list", p._longcmd("AUTH")[1])
p.user("alice"); p.pass_("wonderland")
print("stat", p.stat())
print("retr", b"\n".join(p.retr(1)[1]).decode())
print("utf8", end=" ")
try: p._shortcmd("UTF8")
except poplib.error_proto as e: print(e)
p.quit()
m = imaplib.IMAP4("127.0.0.1", imap, timeout=10)
print("caps", sorted(m.capabilities))
m.authenticate("PLAIN", lambda _: b"\0alice\0wonderland")
print("id", m.xatom("ID", '("name" "imaplib")'), m.untagged_responses.pop("ID", None))
print("namespace", m.namespace())
print("special", m.list('""', '*'))
typ, data = m._simple_command("LIST", "(SPECIAL-USE)", '""', '"*"')
print("special-only", typ, m.untagged_responses.pop("LIST", None))
try: m._simple_command("ENABLE", "UTF8=ACCEPT")  # not advertised: sent anyway
except m.error as e: print("enable refused:", e)
m.select("INBOX")
print("fetch", m.fetch("1", "(BODY.PEEK[TEXT])")[1])
m.logout()
PY
) || true
  expect "poplib CAPA SASL" "'SASL'" "$out"
  expect "poplib bare AUTH list" "auth-list \[b'PLAIN', b'LOGIN'\]" "$out"
  expect "poplib RETR" "Hello from the loopback\." "$out"
  expect "poplib unknown command" "utf8 b'-ERR unknown command'" "$out"
  expect "imaplib capabilities" "'AUTH=LOGIN', 'AUTH=PLAIN'.*'ID'.*'NAMESPACE'.*'SASL-IR', 'SPECIAL-USE'" "$out"
  expect "imaplib ID" "id .*\[b'\(\"name\" \"mailsim\"\)'\]" "$out"
  expect "imaplib NAMESPACE" "namespace \('OK', \[b'\(\(\"\" \"/\"\)\) NIL NIL'\]\)" "$out"
  expect "imaplib LIST attributes" "b'\(\\\\\\\\HasNoChildren \\\\\\\\Drafts\) \"/\" Drafts'" "$out"
  expect "imaplib LIST (SPECIAL-USE)" "special-only OK \[b'\(\\\\\\\\HasNoChildren \\\\\\\\Drafts\)" "$out"
  expect "imaplib ENABLE refused" "enable refused: ENABLE command error: BAD \[b'Unknown command ENABLE'\]" "$out"
  expect "imaplib FETCH" "Hello from the loopback\." "$out"
fi
exit $fail
