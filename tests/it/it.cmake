# tests/it/it.cmake: every tests/it/test_*.py is one ctest test (it_<name>, label it) that drives the real
# frontdesk binary over HTTP against its own redis-server (tests/it/harness.py). Needs python3 and redis-server.
if(TARGET frontdesk)
  find_program(PYTHON3 python3 REQUIRED)
  file(GLOB FD_IT_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/test_*.py)
  list(SORT FD_IT_TESTS)
  foreach(fd_it_test ${FD_IT_TESTS})
    get_filename_component(fd_it_name ${fd_it_test} NAME_WE)
    string(REGEX REPLACE "^test_" "it_" fd_it_name ${fd_it_name})
    add_test(NAME ${fd_it_name} COMMAND ${PYTHON3} ${fd_it_test})
    set_tests_properties(${fd_it_name} PROPERTIES
      LABELS it
      TIMEOUT 600
      ENVIRONMENT "FRONTDESK_BIN=$<TARGET_FILE:frontdesk>;FD_SOURCE_DIR=${CMAKE_SOURCE_DIR};PYTHONDONTWRITEBYTECODE=1")
  endforeach()
endif()
