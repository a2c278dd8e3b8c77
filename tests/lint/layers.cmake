# tests/lint/layers.cmake: the layering check (issue 14). layers_check runs scripts/check-layers.py on the
# repository (every #include goes one way down: server -> voice -> booking -> providers -> core -> tz, store/
# under booking and providers only, no include cycles); layers_check_selftest proves the script fails on an
# upward include, on store/ from server/ and on a cycle, in trees it builds.
find_program(FD_PYTHON3 python3)
if(NOT FD_PYTHON3)
  set(FD_PYTHON3 python3) # the tests then fail rather than being skipped
endif()
add_test(NAME layers_check COMMAND ${FD_PYTHON3} ${CMAKE_SOURCE_DIR}/scripts/check-layers.py ${CMAKE_SOURCE_DIR})
add_test(NAME layers_check_selftest COMMAND ${FD_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/layers_check_selftest.py)
set_tests_properties(layers_check layers_check_selftest PROPERTIES LABELS lint)
