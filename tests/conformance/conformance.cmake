# tests/conformance/conformance.cmake: one ctest per provider profile (tests/conformance/profiles/<name>.py):
# conformance_<name> runs every scenario of tests/conformance/scenarios.py against that provider through the real
# binary and the provider's fake EMR, and prints its column (labels it;conformance). Needs python3 and redis-server.
if(TARGET frontdesk)
  find_program(PYTHON3 python3 REQUIRED)
  file(GLOB FD_CONFORMANCE_PROFILES CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/profiles/*.py)
  list(SORT FD_CONFORMANCE_PROFILES)
  foreach(fd_profile ${FD_CONFORMANCE_PROFILES})
    get_filename_component(fd_profile_name ${fd_profile} NAME_WE)
    if(fd_profile_name STREQUAL "base" OR fd_profile_name STREQUAL "__init__")
      continue()
    endif()
    add_test(NAME conformance_${fd_profile_name}
             COMMAND ${PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/conformance.py --provider ${fd_profile_name} --verbose)
    set_tests_properties(conformance_${fd_profile_name} PROPERTIES
      LABELS "it;conformance"
      TIMEOUT 600
      ENVIRONMENT "FRONTDESK_BIN=$<TARGET_FILE:frontdesk>;FD_SOURCE_DIR=${CMAKE_SOURCE_DIR};PYTHONDONTWRITEBYTECODE=1")
  endforeach()
endif()
