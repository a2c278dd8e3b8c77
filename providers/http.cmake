# providers/http.cmake: fd_emr_http, the asynchronous HTTP client EMR providers share (libcurl multi on libuv), and
# the one-shot loop timer every layer from providers up uses.
add_library(fd_emr_http STATIC ${CMAKE_CURRENT_LIST_DIR}/http_client.c ${CMAKE_CURRENT_LIST_DIR}/net_guard.c
  ${CMAKE_CURRENT_LIST_DIR}/once_timer.c ${CMAKE_CURRENT_LIST_DIR}/credential_log.c)
target_include_directories(fd_emr_http PUBLIC ${CMAKE_SOURCE_DIR})
target_link_libraries(fd_emr_http PUBLIC fd_metrics PkgConfig::CURL PkgConfig::LIBUV PkgConfig::JSONC fd_tz
  Threads::Threads)

# fd_adapter_util: the small pieces every EMR adapter needs alike (settings, optional strings, openings order,
# reading JSON members, availability asked in windows of dates).
add_library(fd_adapter_util STATIC ${CMAKE_CURRENT_LIST_DIR}/adapter_util.c ${CMAKE_CURRENT_LIST_DIR}/json_get.c
  ${CMAKE_CURRENT_LIST_DIR}/opening_windows.c)
target_include_directories(fd_adapter_util PUBLIC ${CMAKE_SOURCE_DIR})
target_link_libraries(fd_adapter_util PUBLIC fd_store fd_core fd_tz PkgConfig::JSONC)
