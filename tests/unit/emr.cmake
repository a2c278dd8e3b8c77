# tests/unit/emr.cmake: unit tests of the EMR side (issue 5): Cliniko, Nookal and bridge decoders, the shared HTTP
# client and the Cliniko adapter; the last two run against tests/fakes/fake_cliniko.py on a real uv loop.
if(TARGET fd_cliniko)
fd_unit_test(cliniko_decode_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/cliniko_decode_test.c LIBS fd_cliniko)
if(TARGET fd_nookal)
  fd_unit_test(nookal_decode_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/nookal_decode_test.c LIBS fd_nookal)
endif()
if(TARGET fd_bridge)
  fd_unit_test(bridge_decode_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/bridge_decode_test.c LIBS fd_bridge)
endif()
if(TARGET fd_practicebetter)
  fd_unit_test(practicebetter_decode_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/practicebetter_decode_test.c
               LIBS fd_practicebetter)
endif()
find_program(FD_PYTHON3 python3)
if(FD_PYTHON3)
  foreach(t http_client_test cliniko_adapter_test)
    fd_unit_test(${t} SOURCES ${CMAKE_CURRENT_LIST_DIR}/${t}.c ${CMAKE_CURRENT_LIST_DIR}/fake_cliniko_client.c
                 LIBS fd_cliniko PkgConfig::CURL)
    set_tests_properties(${t} PROPERTIES ENVIRONMENT "FD_SOURCE_DIR=${CMAKE_SOURCE_DIR};FD_PYTHON=${FD_PYTHON3}"
                                         TIMEOUT 120)
  endforeach()
endif()
endif()
