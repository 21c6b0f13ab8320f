# One unit-test binary compiled to wasm, run under node: it must pass, and when the native
# build is known, report the same test cases and assertions as the native binary. Tests tagged
# [child] run a piece in a child process (fork, peak memory) and tests tagged [glibc] compare with
# glibc's iconv: node's wasm has neither, so both sides leave them out.
# cmake -DNODE=node -DJS=wasm_test_sim.js [-DNATIVE=build/tests/test_sim] -P same_results.cmake
execute_process(COMMAND ${NODE} --no-experimental-fetch ${JS} --use-colour no ~[child]~[glibc] RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${JS} under node failed (${rc}):\n${out}\n${err}")
endif()
# Catch2's last line: "All tests passed (N assertions in M test cases)".
string(REGEX MATCH "All tests passed \\([0-9]+ assertions? in [0-9]+ test cases?\\)" wasm_summary "${out}")
if(NOT wasm_summary)
  message(FATAL_ERROR "${JS}: no summary line in its output:\n${out}")
endif()
if(NATIVE AND EXISTS ${NATIVE})
  execute_process(COMMAND ${NATIVE} --use-colour no ~[child]~[glibc] RESULT_VARIABLE nrc OUTPUT_VARIABLE nout ERROR_VARIABLE nerr)
  string(REGEX MATCH "All tests passed \\([0-9]+ assertions? in [0-9]+ test cases?\\)" native_summary "${nout}")
  if(NOT wasm_summary STREQUAL native_summary)
    message(FATAL_ERROR "wasm and native differ:\n  wasm:   ${wasm_summary}\n  native: ${native_summary} (exit ${nrc})")
  endif()
  message(STATUS "wasm = native: ${wasm_summary}")
else()
  message(STATUS "wasm: ${wasm_summary} (no native binary to compare with)")
endif()
