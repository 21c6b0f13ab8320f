# The browser build's stand-ins for Debian's dev packages (included by the root CMakeLists.txt
# when MAILSIM_WEB is ON). emscripten cannot use the host's CMake packages: their targets add
# -isystem /usr/include, which would put glibc's headers before emscripten's libc. So the
# header-only libraries are staged (as links) in one folder of the build tree and given as
# plain INTERFACE targets under the same names; fmt is used header-only.
if(NOT EMSCRIPTEN)
  message(FATAL_ERROR "MAILSIM_WEB=ON needs emscripten: configure with `emcmake cmake` (or run scripts/web.sh)")
endif()
set(MAILSIM_TESTS OFF CACHE BOOL "" FORCE)  # tests/ is native; web/ builds the wasm tests
set(MAILSIM_BENCH OFF CACHE BOOL "" FORCE)

set(MAILSIM_WEB_STAGE ${CMAKE_BINARY_DIR}/web-include)
file(MAKE_DIRECTORY ${MAILSIM_WEB_STAGE})
foreach(dir nlohmann CLI fmt catch2)
  if(NOT EXISTS /usr/include/${dir})
    message(FATAL_ERROR "/usr/include/${dir} is missing: run scripts/install-deps.sh")
  endif()
  if(NOT EXISTS ${MAILSIM_WEB_STAGE}/${dir})
    file(CREATE_LINK /usr/include/${dir} ${MAILSIM_WEB_STAGE}/${dir} SYMBOLIC)
  endif()
endforeach()

add_library(mailsim_web_headers INTERFACE)
target_include_directories(mailsim_web_headers SYSTEM INTERFACE ${MAILSIM_WEB_STAGE})
add_library(nlohmann_json::nlohmann_json ALIAS mailsim_web_headers)
add_library(CLI11::CLI11 ALIAS mailsim_web_headers)
add_library(mailsim_web_fmt INTERFACE)
target_link_libraries(mailsim_web_fmt INTERFACE mailsim_web_headers)
target_compile_definitions(mailsim_web_fmt INTERFACE FMT_HEADER_ONLY=1)
add_library(fmt::fmt ALIAS mailsim_web_fmt)

# C++ exceptions are off by default in emscripten; the loader, CLI11 and the tests throw and
# catch them. This is an ABI setting of the whole build, so it is global here.
add_compile_options(-fexceptions)
# emscripten 3.1.6's libc++ lacks the floating-point std::from_chars that sim/ and gui/ use.
add_compile_options(-include ${PROJECT_SOURCE_DIR}/web/compat/from_chars_float.hpp)
add_link_options(-fexceptions -sALLOW_MEMORY_GROWTH=1)

# Dear ImGui 1.86 compiled from the sources of Debian's package (scripts/fetch-imgui.sh puts
# them in the build folder and checks they match the installed libimgui-dev headers).
set(MAILSIM_IMGUI_DIR ${CMAKE_BINARY_DIR}/imgui-src CACHE PATH "Dear ImGui's sources (scripts/fetch-imgui.sh)")
if(NOT EXISTS ${MAILSIM_IMGUI_DIR}/imgui_stdlib.cpp OR NOT EXISTS ${MAILSIM_IMGUI_DIR}/backends/imgui_impl_glfw.cpp)
  message(FATAL_ERROR "Dear ImGui's sources are not in ${MAILSIM_IMGUI_DIR}: run "
                      "`bash scripts/fetch-imgui.sh ${MAILSIM_IMGUI_DIR}` (scripts/web.sh does)")
endif()
add_library(mailsim_imgui STATIC
  ${MAILSIM_IMGUI_DIR}/imgui.cpp ${MAILSIM_IMGUI_DIR}/imgui_draw.cpp ${MAILSIM_IMGUI_DIR}/imgui_tables.cpp
  ${MAILSIM_IMGUI_DIR}/imgui_widgets.cpp ${MAILSIM_IMGUI_DIR}/imgui_stdlib.cpp
  ${MAILSIM_IMGUI_DIR}/backends/imgui_impl_glfw.cpp
  ${MAILSIM_IMGUI_DIR}/backends/imgui_impl_opengl3.cpp)
add_library(mailsim::imgui ALIAS mailsim_imgui)
target_include_directories(mailsim_imgui SYSTEM PUBLIC ${MAILSIM_IMGUI_DIR} ${MAILSIM_IMGUI_DIR}/backends)
# The OpenGL3 backend would pick GL ES 2 on emscripten; WebGL 2 is GL ES 3 ("#version 300 es").
set_source_files_properties(${MAILSIM_IMGUI_DIR}/backends/imgui_impl_opengl3.cpp PROPERTIES
  COMPILE_DEFINITIONS IMGUI_IMPL_OPENGL_ES3)
target_link_options(mailsim_imgui PUBLIC -sUSE_GLFW=3 -sUSE_WEBGL2=1 -sMIN_WEBGL_VERSION=2 -sFULL_ES3=1)
