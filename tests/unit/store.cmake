# tests/unit/store.cmake: the Redis store's read cache against a real redis-server on a private unix socket.
if(TARGET fd_store)
fd_unit_test(store_cache_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/store_cache_test.c LIBS fd_store)
set_tests_properties(store_cache_test PROPERTIES LABELS "unit;redis" TIMEOUT 120)
endif()
if(TARGET fd_store)
fd_unit_test(store_read_cache_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/store_read_cache_test.c LIBS fd_store)
endif()
