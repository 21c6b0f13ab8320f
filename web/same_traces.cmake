# Every lesson's trace from the wasm `mailsim` (under node) is byte-identical to the native
# one's, and both exit the same way: determinism across compilers and standard libraries.
# cmake -DNODE=node -DWASM=cli/mailsim.js -DNATIVE=native/cli/mailsim -DOUT=dir -P same_traces.cmake
# (run from the source folder: the lessons are named by their relative paths, as users do)
file(GLOB lessons RELATIVE ${CMAKE_CURRENT_LIST_DIR}/.. ${CMAKE_CURRENT_LIST_DIR}/../scenarios/*/*.json)
if(NOT lessons)
  message(FATAL_ERROR "no lessons found under scenarios/")
endif()
file(MAKE_DIRECTORY ${OUT})
set(failed "")
foreach(lesson ${lessons})
  string(REPLACE "/" "_" name ${lesson})
  execute_process(COMMAND ${NATIVE} run ${lesson} --trace ${OUT}/${name}.native.jsonl
                  RESULT_VARIABLE nrc OUTPUT_QUIET ERROR_QUIET)
  execute_process(COMMAND ${NODE} --no-experimental-fetch ${WASM} run ${lesson} --trace ${OUT}/${name}.wasm.jsonl
                  RESULT_VARIABLE wrc OUTPUT_QUIET ERROR_VARIABLE werr)
  if(NOT nrc EQUAL wrc)
    list(APPEND failed "${lesson}: exit ${wrc} in wasm, ${nrc} native ${werr}")
    continue()
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUT}/${name}.native.jsonl ${OUT}/${name}.wasm.jsonl
                  RESULT_VARIABLE diff)
  if(NOT diff EQUAL 0)
    list(APPEND failed "${lesson}: the traces differ (${OUT}/${name}.{native,wasm}.jsonl)")
  endif()
endforeach()
list(LENGTH lessons n)
if(failed)
  string(REPLACE ";" "\n  " text "${failed}")
  message(FATAL_ERROR "wasm and native traces differ:\n  ${text}")
endif()
message(STATUS "${n} lessons: the wasm traces are byte-identical to the native ones")
