# Renders one screenshot under Xvfb and checks that the PNG exists and is not blank; or, with
# EXPECT_RC, that the app refuses the options with that exit code (and writes nothing).
# Inputs: XVFB_RUN GUI (the program, then '|gui' for `mailsim gui`) CHECK SCENARIO PNG, ARGS
# (the app's options, separated by '|'), optional EXPECT_RC.
get_filename_component(dir ${PNG} DIRECTORY)
file(MAKE_DIRECTORY ${dir})
file(REMOVE ${PNG})
string(REPLACE "|" ";" args "${ARGS}")
string(REPLACE "|" ";" gui "${GUI}")  # the program, and its subcommand for `mailsim gui`
foreach(attempt 1 2 3)
  execute_process(
    COMMAND ${XVFB_RUN} -a -s "-screen 0 1280x720x24" ${gui} ${SCENARIO} ${args} --screenshot ${PNG}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(rc EQUAL 0 OR NOT err MATCHES "Xvfb failed|xvfb-run: error|cannot open a window|cannot create an OpenGL")
    break()
  endif()
  message(STATUS "attempt ${attempt}: the X server did not start; retrying\n${err}")
endforeach()
if(DEFINED EXPECT_RC)
  if(NOT rc EQUAL EXPECT_RC)
    message(FATAL_ERROR "expected exit code ${EXPECT_RC}, got ${rc}\n${out}\n${err}")
  endif()
  if(EXISTS ${PNG})
    message(FATAL_ERROR "a PNG was written although the options were refused: ${PNG}")
  endif()
  message(STATUS "refused as expected:\n${err}")
  return()
endif()
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${GUI} exited with ${rc}\n${out}\n${err}")
endif()
if(NOT EXISTS ${PNG})
  message(FATAL_ERROR "no PNG was written: ${PNG}\n${err}")
endif()
execute_process(COMMAND ${CHECK} ${PNG} 1280 720 RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${PNG} looks wrong:\n${out}${err}")
endif()
message(STATUS "${out}")
