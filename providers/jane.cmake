# providers/jane.cmake: fd_jane, the Jane adapter's reading of a clinic's public online-booking site, one file per
# concern (map in jane.c): settings, one polite GET, the catalog, the openings and the pure decoders. The ops table
# (jane.c) is in fd_providers, next to the Frontdesk-side patient records it uses (sandbox_records.c).
set(FD_JANE_SOURCES jane_settings.c jane_request.c jane_catalog.c jane_availability.c jane_decode.c)
list(TRANSFORM FD_JANE_SOURCES PREPEND ${CMAKE_CURRENT_LIST_DIR}/)
add_library(fd_jane STATIC ${FD_JANE_SOURCES})
target_include_directories(fd_jane PUBLIC ${CMAKE_SOURCE_DIR})
target_link_libraries(fd_jane PUBLIC fd_cliniko fd_adapter_util fd_emr_http fd_core fd_tz fd_store PkgConfig::JSONC
  Threads::Threads)
