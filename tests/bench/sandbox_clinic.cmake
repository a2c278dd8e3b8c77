# tests/bench/sandbox_clinic.cmake: load time of a large sandbox clinic file (issue 8); a program, not a ctest test.
add_executable(sb_load_bench ${CMAKE_CURRENT_LIST_DIR}/sb_load_bench.c)
target_link_libraries(sb_load_bench PRIVATE fd_sandbox_clinic)
