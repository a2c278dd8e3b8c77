# tests/fuzz/emr.cmake: libFuzzer targets of the Cliniko decoders (issue 5); their corpora are replayed by ctest.
if(TARGET fd_cliniko)
foreach(t businesses practitioners appointment_types available_times patients appointments settings text)
  fd_fuzz_target(fuzz_cliniko_${t} SOURCE ${CMAKE_CURRENT_LIST_DIR}/fuzz_cliniko_${t}.c LIBS fd_cliniko
                 CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/cliniko_${t})
endforeach()
endif()
