# Renders a lesson's screenshot series under Xvfb in one process (start, every narration step
# and the end, in English and Japanese; the middle too when the lesson has no narration) and
# checks that every picture was written and none is blank, and (--check-layout) that no text is
# under 14 px and nothing on the map covers a host icon or other text.
# Inputs: XVFB_RUN GUI CHECK SCENARIO DIR.
file(REMOVE_RECURSE ${DIR})

include(${CMAKE_CURRENT_LIST_DIR}/xvfb_run.cmake)  # retries when the X server did not start
mailsim_run_under_xvfb(${GUI} ${SCENARIO} --screenshot-series ${DIR} --size 1280x720 --check-layout)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "mailsim-gui --screenshot-series exited with ${rc}\n${out}\n${err}")
endif()

# How many pictures the lesson must give: per language start + end + one per narration step
# (or the middle when there is no narration).
file(READ ${SCENARIO} json)
string(JSON steps ERROR_VARIABLE no_steps LENGTH "${json}" narration)
if(no_steps OR steps EQUAL 0)
  set(per_lang 3)
else()
  math(EXPR per_lang "${steps} + 2")
endif()
math(EXPR expected "${per_lang} * 2")

file(GLOB pngs ${DIR}/*.png)
list(LENGTH pngs count)
if(NOT count EQUAL expected)
  message(FATAL_ERROR "${count} pictures in ${DIR}, expected ${expected}\n${out}\n${err}")
endif()
foreach(name en-start en-end ja-start ja-end)
  if(NOT EXISTS ${DIR}/${name}.png)
    message(FATAL_ERROR "${DIR}/${name}.png is missing\n${out}\n${err}")
  endif()
endforeach()

set(failed "")
foreach(png ${pngs})
  execute_process(COMMAND ${CHECK} ${png} 1280 720 RESULT_VARIABLE rc OUTPUT_VARIABLE o ERROR_VARIABLE e)
  if(NOT rc EQUAL 0)
    string(APPEND failed "${png}: ${o}${e}\n")
  endif()
endforeach()
if(failed)
  message(FATAL_ERROR "pictures that look wrong:\n${failed}")
endif()
message(STATUS "${count} pictures checked in ${DIR}\n${out}")
