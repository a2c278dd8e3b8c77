# booking/core.cmake: fd_booking_core, the pure booking core (slot generation, bestSlot scoring, name matching).
# No I/O: callers pass everything in; see booking/README.md for the scoring rules.
add_library(fd_booking_core STATIC
  ${CMAKE_CURRENT_LIST_DIR}/interval.c
  ${CMAKE_CURRENT_LIST_DIR}/slots.c
  ${CMAKE_CURRENT_LIST_DIR}/best_slot.c
  ${CMAKE_CURRENT_LIST_DIR}/name_match.c)
target_include_directories(fd_booking_core PUBLIC ${CMAKE_SOURCE_DIR})
target_link_libraries(fd_booking_core PUBLIC fd_tz PkgConfig::ICU)
