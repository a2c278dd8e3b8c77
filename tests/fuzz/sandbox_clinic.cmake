# tests/fuzz/sandbox_clinic.cmake: libFuzzer target of the sandbox clinic file parser (issue 8); corpus replayed by ctest.
fd_fuzz_target(fuzz_sb_clinic SOURCE ${CMAKE_CURRENT_LIST_DIR}/fuzz_sb_clinic.c LIBS fd_sandbox_clinic
               CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/sb_clinic)
