# Runs CMD with ARGS; checks the exit code (CODE) and that stdout holds every text in EXPECT
# (a list, separated by '|').
execute_process(COMMAND ${CMD} ${ARGS} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL CODE)
  message(FATAL_ERROR "expected exit code ${CODE}, got ${rc}\nstdout:\n${out}\nstderr:\n${err}")
endif()
string(REPLACE "|" ";" wanted "${EXPECT}")
foreach(text IN LISTS wanted)
  string(FIND "${out}" "${text}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "stdout lacks '${text}':\n${out}")
  endif()
endforeach()
