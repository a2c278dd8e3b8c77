# providers/http.cmake: fd_emr_http, the asynchronous HTTP client EMR providers share (libcurl multi on libuv), and
# the one-shot loop timer every layer from providers up uses.
add_library(fd_emr_http STATIC ${CMAKE_CURRENT_LIST_DIR}/http_client.c ${CMAKE_CURRENT_LIST_DIR}/net_guard.c
  ${CMAKE_CURRENT_LIST_DIR}/once_timer.c ${CMAKE_CURRENT_LIST_DIR}/credential_log.c)
target_include_directories(fd_emr_http PUBLIC ${CMAKE_SOURCE_DIR})
target_link_libraries(fd_emr_http PUBLIC PkgConfig::CURL PkgConfig::LIBUV PkgConfig::JSONC fd_tz Threads::Threads)
