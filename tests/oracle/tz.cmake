# tests/oracle/tz.cmake: fd_tz against Python's zoneinfo on the same system tz database (issue 3).
add_executable(tz_oracle_driver ${CMAKE_CURRENT_LIST_DIR}/tz_oracle_driver.c)
target_link_libraries(tz_oracle_driver PRIVATE fd_tz)
find_program(FD_TZ_PYTHON3 NAMES python3)
if(FD_TZ_PYTHON3)
  add_test(NAME tz_oracle COMMAND ${FD_TZ_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/tz_oracle.py $<TARGET_FILE:tz_oracle_driver>)
else()
  # Fail loudly rather than skip: the oracle is the acceptance test of the conversions.
  message(WARNING "tz_oracle: python3 (>= 3.9) not found; the tz_oracle test will fail")
  add_test(NAME tz_oracle COMMAND ${CMAKE_COMMAND} -E false)
endif()
set_tests_properties(tz_oracle PROPERTIES LABELS oracle ENVIRONMENT "PYTHONTZPATH=/usr/share/zoneinfo" TIMEOUT 300)
