# Fails when code outside the trace vocabulary (sim/core/trace.*) names a protocol, mail,
# mailbox or DNS record's event by a string literal (`r.event == "command"`, `ev == "relayed"`) or reads a
# typed protocol field back out of `detail` (`r.detail.value("line", ...)`): readers use
# sim::ProtoEvent / sim::MailEvent and Record::proto_info() / Record::mail_info().
#
#   cmake -DROOT=<source tree> -P protocol_events.cmake
#   (-DFIXTURE=ON also reads tests/lint/fixture/, which must fail: the lint's own test)
#
# Scope (docs/trace.md): the names only protocol records use (command, reply, state,
# received, not-understood) and the detail keys the typed form owns (line, verb, masked).
# Names shared with other kinds ("sent", "error", "note", "data") cannot be told apart by a
# grep and are not checked.
# Mail records: every event name but "refused" (a connection's too), compared through a
# variable named event, ev or e. Their typed detail keys (queue_id, recipient, reason ...) are
# shared with other kinds and are not checked.
# Mailbox and DNS records: every event name (stored ... action-failed, downloaded; lookup ...
# result), compared through a variable named event, ev or e; and the detail keys only they use
# (quota_used, quota_limit, store_seq, old_flags, to_message_id, headers_truncated,
# body_preview, deleted_on_server, answers, authority, edns_udp_size, rcode): readers use
# sim::MailboxEvent / sim::DnsEvent and Record::mailbox_info() / dns_info().
# With FIXTURE=ON every file of tests/lint/fixture/ must be caught: one that is not makes the
# run succeed, which the test expecting a failure reports.
if(NOT ROOT)
  message(FATAL_ERROR "ROOT is not set")
endif()
set(files)
foreach(dir sim gui formats cli bridge web tests)
  file(GLOB_RECURSE more RELATIVE ${ROOT} ${ROOT}/${dir}/*.cpp ${ROOT}/${dir}/*.hpp)
  list(APPEND files ${more})
endforeach()
set(event_re "event(\\.str\\(\\)|\\.view\\(\\))? *[!=]= *\"(command|reply|state|received|not-understood)\"")
set(mail_names "compose|submitted|send_failed|queued|routing|connect-failed|relayed|delivered|deferred|bounced|throttled|greylisted|waiting|reusing|delayed|loop|duplicate")
set(mail_re "(^|[^A-Za-z0-9_])(event|ev|e)(\\.str\\(\\)|\\.view\\(\\))? *[!=]= *\"(${mail_names})\"")
set(detail_re "detail(\\.value\\(|\\.find\\(|\\.contains\\(|\\.at\\(|\\[|, *)\"(line|verb|masked)\"")
set(mailbox_names "stored|delivery-refused|appended|append-refused|fetched|flags-changed|expunged|copied|copy-refused|moved|downloaded-and-deleted|deleted-via-pop3|folder-created|folder-deleted|folder-renamed|subscription-changed|maildrop-locked|maildrop-lock-refused|maildrop-unlocked|device-downloaded|device-synced|device-opened|device-flags|device-deleted|device-checked|check-coalesced|check-failed|action-failed|downloaded")
set(dns_names "lookup|query|response|resolver|ignored|malformed|result")
set(box_re "(^|[^A-Za-z0-9_])(event|ev|e)(\\.str\\(\\)|\\.view\\(\\))? *[!=]= *\"(${mailbox_names}|${dns_names})\"")
set(box_detail_re "detail(\\.value\\(|\\.find\\(|\\.contains\\(|\\.at\\(|\\[|, *)\"(quota_used|quota_limit|store_seq|old_flags|to_message_id|headers_truncated|body_preview|deleted_on_server|answers|authority|edns_udp_size|rcode)\"")
set(found 0)
set(missed OFF)
foreach(f ${files})
  if(f MATCHES "^sim/core/trace\\.(c|h)pp$" OR (f MATCHES "^tests/lint/fixture/" AND NOT FIXTURE))
    continue()
  endif()
  # One pattern at a time: CMake's regular expressions allow only a few groups each.
  set(caught OFF)
  foreach(re event_re detail_re mail_re box_re box_detail_re)
    file(STRINGS ${ROOT}/${f} hits REGEX "${${re}}")
    foreach(line IN LISTS hits)
      string(STRIP "${line}" line)
      if(line STREQUAL "")
        continue()  # a line's `;` splits it into list items: the rest is reported already
      endif()
      message("${f}: ${line}")
      math(EXPR found "${found} + 1")
      set(caught ON)
    endforeach()
  endforeach()
  if(FIXTURE AND f MATCHES "^tests/lint/fixture/" AND NOT caught)
    message(STATUS "${f}: not caught; the lint misses what this fixture shows")
    set(missed ON)
  endif()
endforeach()
if(missed)
  return()  # success: lint.protocol_events_catches expects a failure, so it reports the miss
endif()
if(found GREATER 0)
  message(FATAL_ERROR "${found} line(s) name a protocol event by a string or read a typed protocol field from "
                      "`detail`: use sim::ProtoEvent / MailEvent / MailboxEvent / DnsEvent (Record::is, protocol_event, "
                      "mail_event, mailbox_event, dns_event) and Record::proto_info() / mail_info() / mailbox_info() / "
                      "dns_info()")
endif()
message(STATUS "no protocol, mail, mailbox or DNS event compared by name outside sim/core/trace.*")
