# tests/it/openapi.cmake: lints openapi/openapi.yaml with the pinned @redocly/cli (scripts/lint-openapi.sh;
# the first run installs it into .tools/redocly with npm, later runs are offline).
add_test(NAME openapi_lint COMMAND ${CMAKE_SOURCE_DIR}/scripts/lint-openapi.sh)
set_tests_properties(openapi_lint PROPERTIES LABELS lint TIMEOUT 600)
