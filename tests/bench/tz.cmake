# tests/bench/tz.cmake: the time-zone core benchmark (issue 3); a program, not a ctest test.
add_executable(tz_bench ${CMAKE_CURRENT_LIST_DIR}/tz_bench.c)
target_link_libraries(tz_bench PRIVATE fd_tz)
