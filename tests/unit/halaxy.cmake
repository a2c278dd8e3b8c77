# tests/unit/halaxy.cmake: unit tests of the Halaxy adapter's pure FHIR decoders (issue 15).
if(TARGET fd_halaxy)
fd_unit_test(halaxy_decode_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/halaxy_decode_test.c LIBS fd_halaxy)
endif()
