# tests/unit/booking_writes.cmake: unit tests of the booking writes' pure parts (phone normaliser, hold ids,
# coverage, idempotency fingerprints, appointment ordering).
if(TARGET fd_booking)
fd_unit_test(bk_phone_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/bk_phone_test.c LIBS fd_booking)
fd_unit_test(bk_writes_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/bk_writes_test.c LIBS fd_booking)
endif()
