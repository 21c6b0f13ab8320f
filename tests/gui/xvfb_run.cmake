# Shared by the screenshot test scripts: run the app under Xvfb and retry when the X server
# did not start. Xvfb is sometimes slow to start or loses the race for a display number when
# tests run in parallel (xvfb-run -a): try again then, but never hide a failure of the app itself.
# mailsim_run_under_xvfb(COMMAND...) uses XVFB_RUN and sets rc, out and err in the caller.
# The screen is MAILSIM_XVFB_SCREEN (WxH) when the caller sets it, else 1280x720.
if(NOT DEFINED MAILSIM_XVFB_SCREEN)
  set(MAILSIM_XVFB_SCREEN 1280x720)
endif()
function(mailsim_run_under_xvfb)
  foreach(attempt 1 2 3)
    execute_process(
      COMMAND ${XVFB_RUN} -a -s "-screen 0 ${MAILSIM_XVFB_SCREEN}x24" ${ARGN}
      RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(rc EQUAL 0 OR NOT err MATCHES "Xvfb failed|xvfb-run: error|cannot open a window|cannot create an OpenGL")
      break()
    endif()
    message(STATUS "attempt ${attempt}: the X server did not start; retrying\n${err}")
  endforeach()
  set(rc "${rc}" PARENT_SCOPE)
  set(out "${out}" PARENT_SCOPE)
  set(err "${err}" PARENT_SCOPE)
endfunction()
