# providers/halaxy.cmake: fd_halaxy, the Halaxy (FHIR R4) EMR adapter, one file per concern (map in halaxy.c): the
# ops table, settings, the OAuth2 token, one request, Bundle paging, the operations, and the pure decoders.
set(FD_HALAXY_SOURCES halaxy.c halaxy_settings.c halaxy_token.c halaxy_request.c halaxy_paging.c halaxy_catalog.c
    halaxy_availability.c halaxy_patients.c halaxy_appointments.c halaxy_changes.c halaxy_decode.c)
list(TRANSFORM FD_HALAXY_SOURCES PREPEND ${CMAKE_CURRENT_LIST_DIR}/)
add_library(fd_halaxy STATIC ${FD_HALAXY_SOURCES})
target_include_directories(fd_halaxy PUBLIC ${CMAKE_SOURCE_DIR})
# The Cliniko decoders lend their bounded JSON parser, query escaping, next-link check and phone matching.
target_link_libraries(fd_halaxy PUBLIC fd_cliniko fd_adapter_util fd_emr_http fd_core fd_tz fd_store PkgConfig::JSONC Threads::Threads)
