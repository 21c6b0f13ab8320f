# One unit-test binary compiled to wasm, run under node: it must pass, and when the native
# build is known, run the same test cases with the same number of assertions in each as the
# native binary (Catch2's `-r case-counts` reporter, tests/unit/case_counts.cpp: one line per
# test case, so a difference names the case).
# Left out on both sides: [child] (a piece run in a forked child, peak memory) and [glibc]
# (compared with glibc's iconv), which node's wasm cannot do, and [more-worlds] (chunks 2-8 of
# the random-worlds property test: chunk 1 runs the same checks, the rest would add about eight
# minutes under node).
# cmake -DNODE=node -DJS=wasm_test_sim.js [-DNATIVE=build/tests/test_sim] -DOUT=dir -P same_results.cmake
set(filter "~[child]~[glibc]~[more-worlds]")
get_filename_component(name ${JS} NAME_WE)
if(NOT OUT)
  set(OUT ${CMAKE_CURRENT_BINARY_DIR})
endif()
file(MAKE_DIRECTORY ${OUT})
set(wasm_file ${OUT}/${name}.wasm-counts.txt)
set(native_file ${OUT}/${name}.native-counts.txt)

execute_process(COMMAND ${NODE} --no-experimental-fetch ${JS} --use-colour no -r case-counts ${filter}
                RESULT_VARIABLE rc OUTPUT_FILE ${wasm_file} ERROR_VARIABLE err)
file(READ ${wasm_file} out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${JS} under node failed (exit ${rc}):\n${out}\n${err}")
endif()
string(REGEX MATCH "total: [0-9]+ assertions \\(0 failed\\) in [0-9]+ test cases \\(0 failed\\)" wasm_summary "${out}")
if(NOT wasm_summary)
  message(FATAL_ERROR "${JS}: no passing total line in its output:\n${out}\n${err}")
endif()

if(NATIVE AND EXISTS ${NATIVE})
  execute_process(COMMAND ${NATIVE} --use-colour no -r case-counts ${filter}
                  RESULT_VARIABLE nrc OUTPUT_FILE ${native_file} ERROR_VARIABLE nerr)
  if(NOT nrc EQUAL 0)
    file(READ ${native_file} nout)
    message(FATAL_ERROR "the native ${NATIVE} failed (exit ${nrc}; built from other sources?):\n${nout}\n${nerr}")
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${native_file} ${wasm_file} RESULT_VARIABLE same)
  if(NOT same EQUAL 0)
    execute_process(COMMAND diff -u --label native --label wasm ${native_file} ${wasm_file} OUTPUT_VARIABLE d)
    message(FATAL_ERROR "wasm and native differ (a line is: ok|FAIL, assertions, test case):\n${d}")
  endif()
  message(STATUS "wasm = native, case by case: ${wasm_summary}")
else()
  message(STATUS "wasm: ${wasm_summary} (no native binary to compare with)")
endif()
