# providers/sandbox_clinic.cmake: the sandbox clinic file (issue 8): parse + validate into an immutable struct.
add_library(fd_sandbox_clinic STATIC
  ${CMAKE_CURRENT_LIST_DIR}/sandbox_clinic.c
  ${CMAKE_CURRENT_LIST_DIR}/sandbox_clinic_parse.c
  ${CMAKE_CURRENT_LIST_DIR}/sandbox_clinic_read.c
  ${CMAKE_CURRENT_LIST_DIR}/sandbox_clinic_query.c
)
target_include_directories(fd_sandbox_clinic PUBLIC ${CMAKE_SOURCE_DIR})
target_link_libraries(fd_sandbox_clinic PUBLIC PkgConfig::JSONC fd_tz m)
