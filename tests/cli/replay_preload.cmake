# A scenario whose mailbox is preloaded from SOURCE (the scenario TEMPLATE with its "preload" path
# replaced, written into WORK), checked against the POP3 session in CAPTURE: the message replies
# match (RETR 1 the same) and only the CAPA list differs.
file(READ ${TEMPLATE} text)
string(REPLACE "\"preload/tiny-maildir\"" "\"${SOURCE}\"" text "${text}")
file(MAKE_DIRECTORY ${WORK})
file(WRITE ${WORK}/scenario.json "${text}")
execute_process(COMMAND ${CMD} replay ${CAPTURE} --against ${WORK}/scenario.json
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 1)
  message(FATAL_ERROR "expected exit code 1 (the CAPA list differs), got ${rc}\n${out}\n${err}")
endif()
foreach(want "  same       RETR 1" "  same       PASS secret" "  DIFFERENT  CAPA" "\n1 difference(s)")
  string(FIND "${out}" "${want}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the report lacks '${want}':\n${out}")
  endif()
endforeach()
