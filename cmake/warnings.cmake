# Warnings for the project's own targets: an INTERFACE target, never global flags.
add_library(mailsim_warnings INTERFACE)
add_library(mailsim::warnings ALIAS mailsim_warnings)
target_compile_options(mailsim_warnings INTERFACE
  -Wall -Wextra -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough
  -Wpedantic)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(mailsim_warnings INTERFACE -Wduplicated-cond -Wlogical-op)
endif()
