# Fails when code outside the trace vocabulary (sim/core/trace.*) names a protocol or mail
# record's event by a string literal (`r.event == "command"`, `ev == "relayed"`) or reads a
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
set(found 0)
foreach(f ${files})
  if(f MATCHES "^sim/core/trace\\.(c|h)pp$" OR (f MATCHES "^tests/lint/fixture/" AND NOT FIXTURE))
    continue()
  endif()
  file(STRINGS ${ROOT}/${f} hits REGEX "${event_re}|${detail_re}|${mail_re}")
  foreach(line IN LISTS hits)
    string(STRIP "${line}" line)
    message("${f}: ${line}")
    math(EXPR found "${found} + 1")
  endforeach()
endforeach()
if(found GREATER 0)
  message(FATAL_ERROR "${found} line(s) name a protocol event by a string or read a typed protocol field from "
                      "`detail`: use sim::ProtoEvent / sim::MailEvent (Record::is, protocol_event, mail_event) and "
                      "Record::proto_info() / mail_info()")
endif()
message(STATUS "no protocol or mail event compared by name outside sim/core/trace.*")
