# tests/browser/browser.cmake: the booking widget driven in headless Chromium (Debian's chromium, puppeteer-core
# from npm, installed into tests/browser/node_modules by the test itself): ctest browser_widget, label browser.
# Screenshots of every step: <build>/test-output/widget/.
if(TARGET frontdesk)
  find_program(PYTHON3 python3 REQUIRED)
  add_test(NAME browser_widget COMMAND ${PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/test_widget_browser.py)
  set_tests_properties(browser_widget PROPERTIES
    LABELS browser
    TIMEOUT 600
    ENVIRONMENT "FRONTDESK_BIN=$<TARGET_FILE:frontdesk>;FD_SOURCE_DIR=${CMAKE_SOURCE_DIR};PYTHONDONTWRITEBYTECODE=1;FD_WIDGET_OUT=${CMAKE_BINARY_DIR}/test-output/widget")
endif()
