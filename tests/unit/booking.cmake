# tests/unit/booking.cmake: unit tests of the booking core (fd_core): slots, bestSlot, name matching.
fd_unit_test(bk_slots_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/bk_slots_test.c LIBS fd_core)
fd_unit_test(bk_best_slot_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/bk_best_slot_test.c LIBS fd_core)
fd_unit_test(bk_name_match_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/bk_name_match_test.c LIBS fd_core)
