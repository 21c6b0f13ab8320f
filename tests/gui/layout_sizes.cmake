# The layout check at the classroom's other sizes (issue 18): a lesson's whole series (start,
# every narration step, end; English and Japanese) at 1024x640, at 1280x720 with --scale 1.5
# and at 1920x1080, each with --check-layout: no text smaller than 14 px at 1280x720 (in
# proportion to the text scale and a smaller window) and nothing on the map (labels, badges,
# packet labels, the speech bubble) covering a host icon or other text.
# Inputs: XVFB_RUN GUI SCENARIO DIR.
set(MAILSIM_XVFB_SCREEN 1920x1080)
include(${CMAKE_CURRENT_LIST_DIR}/xvfb_run.cmake)
set(failed "")
foreach(size_scale "1024x640:1" "1280x720:1.5" "1920x1080:1")
  string(REPLACE ":" ";" parts ${size_scale})
  list(GET parts 0 size)
  list(GET parts 1 scale)
  set(out_dir ${DIR}/${size}-${scale})
  file(REMOVE_RECURSE ${out_dir})
  mailsim_run_under_xvfb(${GUI} ${SCENARIO} --screenshot-series ${out_dir} --size ${size} --scale ${scale} --check-layout)
  if(NOT rc EQUAL 0)
    string(APPEND failed "${size} --scale ${scale}: exit code ${rc}\n${err}\n")
  endif()
endforeach()
if(failed)
  message(FATAL_ERROR "layout problems:\n${failed}")
endif()
