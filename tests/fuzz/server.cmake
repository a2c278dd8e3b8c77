# Fuzz targets of server/ parsers: request bodies and query strings.
if(TARGET fd_server)
fd_fuzz_target(fuzz_srv_body SOURCE ${CMAKE_CURRENT_LIST_DIR}/fuzz_srv_body.c LIBS fd_server
               CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/srv_body)
fd_fuzz_target(fuzz_srv_query SOURCE ${CMAKE_CURRENT_LIST_DIR}/fuzz_srv_query.c LIBS fd_server
               CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/srv_query)
endif()
