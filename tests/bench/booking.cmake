# tests/bench/booking.cmake: bk_bench, the booking-core benchmark (an executable, not a ctest test).
# malloc/calloc/realloc/free are wrapped at link time so the bench can count allocations in its hot loops.
add_executable(bk_bench ${CMAKE_CURRENT_LIST_DIR}/bk_bench.c)
target_link_libraries(bk_bench PRIVATE fd_core)
target_link_options(bk_bench PRIVATE -Wl,--wrap=malloc -Wl,--wrap=calloc -Wl,--wrap=realloc -Wl,--wrap=free)
