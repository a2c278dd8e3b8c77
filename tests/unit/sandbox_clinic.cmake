# tests/unit/sandbox_clinic.cmake: cmocka tests of the sandbox clinic file (issue 8).
fd_unit_test(sb_clinic_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/sb_clinic_test.c LIBS fd_sandbox_clinic)

# The JSON Schema agrees with the demo and the example. Debian's python3-jsonschema (installed by
# scripts/install-deps.sh --test) lives in the system interpreter, so the test runs /usr/bin/python3.
add_test(NAME sb_clinic_schema COMMAND /usr/bin/python3 -c
  "import json,sys,jsonschema as j; s=json.load(open(sys.argv[1])); j.Draft202012Validator.check_schema(s); [j.Draft202012Validator(s).validate(json.load(open(f))) for f in sys.argv[2:]]; print('schema ok:', len(sys.argv) - 2, 'files')"
  ${CMAKE_SOURCE_DIR}/openapi/sandbox_clinic.schema.json
  ${CMAKE_SOURCE_DIR}/providers/sandbox/demo_clinic.json
  ${CMAKE_SOURCE_DIR}/examples/clinic.example.json)
set_tests_properties(sb_clinic_schema PROPERTIES LABELS unit)
