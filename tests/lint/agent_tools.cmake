# tests/lint/agent_tools.cmake: the voice platforms' tool definitions in docs/agents/ are what
# scripts/gen-agent-tools.py writes from openapi/openapi.yaml and server/agent_tools.c (agent_tools_generated);
# agent_tools_selftest proves the check fails when the contract changes and the files do not, and that the
# script's YAML reader reads the forms the contract uses.
find_program(FD_PYTHON3 python3)
if(NOT FD_PYTHON3)
  set(FD_PYTHON3 python3) # the tests then fail rather than being skipped
endif()
add_test(NAME agent_tools_generated COMMAND ${FD_PYTHON3} ${CMAKE_SOURCE_DIR}/scripts/gen-agent-tools.py --check)
add_test(NAME agent_tools_selftest COMMAND ${FD_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/agent_tools_selftest.py)
set_tests_properties(agent_tools_generated agent_tools_selftest PROPERTIES LABELS lint)
