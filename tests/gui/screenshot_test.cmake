# Renders one screenshot under Xvfb and checks that the PNG exists and is not blank.
# Inputs: XVFB_RUN GUI CHECK SCENARIO AT LANG PNG.
get_filename_component(dir ${PNG} DIRECTORY)
file(MAKE_DIRECTORY ${dir})
file(REMOVE ${PNG})
execute_process(
  COMMAND ${XVFB_RUN} -a -s "-screen 0 1280x720x24"
          ${GUI} ${SCENARIO} --at ${AT} --lang ${LANG} --screenshot ${PNG}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "mailsim-gui exited with ${rc}\n${out}\n${err}")
endif()
if(NOT EXISTS ${PNG})
  message(FATAL_ERROR "no PNG was written: ${PNG}\n${err}")
endif()
execute_process(COMMAND ${CHECK} ${PNG} 1280 720 RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${PNG} looks wrong:\n${out}${err}")
endif()
message(STATUS "${out}")
