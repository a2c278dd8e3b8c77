# The banned-function check runs with the tests.
add_test(NAME banned_functions COMMAND ${CMAKE_SOURCE_DIR}/scripts/check-banned.sh)
set_tests_properties(banned_functions PROPERTIES LABELS lint)
