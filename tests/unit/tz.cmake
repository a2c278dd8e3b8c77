# tests/unit/tz.cmake: cmocka tests of the time-zone core (issue 3).
fd_unit_test(tz_convert_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/tz_convert_test.c LIBS fd_tz)
fd_unit_test(tz_names_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/tz_names_test.c LIBS fd_tz)
fd_unit_test(tz_spoken_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/tz_spoken_test.c LIBS fd_tz)
fd_unit_test(tz_windows_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/tz_windows_test.c LIBS fd_tz)
