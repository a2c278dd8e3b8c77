# tests/fuzz/tz.cmake: libFuzzer targets of the time-zone core (issue 3); their corpora are replayed by ctest.
fd_fuzz_target(fuzz_tz_iso SOURCE ${CMAKE_CURRENT_LIST_DIR}/fuzz_tz_iso.c LIBS fd_tz
               CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/tz_iso)
fd_fuzz_target(fuzz_tz_resolve SOURCE ${CMAKE_CURRENT_LIST_DIR}/fuzz_tz_resolve.c LIBS fd_tz
               CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/tz_resolve)
