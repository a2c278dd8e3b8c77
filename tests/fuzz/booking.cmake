# tests/fuzz/booking.cmake: fuzz target of the booking core's name matcher (corpus replayed under ctest).
fd_fuzz_target(fuzz_bk_name_match SOURCE ${CMAKE_CURRENT_LIST_DIR}/fuzz_bk_name_match.c LIBS fd_core
               CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/bk_name_match)
