# Unit tests of server/: errors, bodies, keys, config.
if(TARGET fd_server)
fd_unit_test(srv_errors_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/srv_errors_test.c LIBS fd_server)
fd_unit_test(srv_body_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/srv_body_test.c LIBS fd_server)
fd_unit_test(srv_auth_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/srv_auth_test.c LIBS fd_server)
fd_unit_test(srv_config_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/srv_config_test.c LIBS fd_server)
endif()
