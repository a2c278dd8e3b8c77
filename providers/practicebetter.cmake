# providers/practicebetter.cmake: fd_practicebetter, the Practice Better EMR adapter, one file per concern (map in
# practicebetter.c): the ops table, settings, the shared OAuth token, one call with its shared rate bucket, paging,
# the operations and the pure decoders (practicebetter_decode.c). It reuses the Cliniko and Nookal adapters' pure
# JSON, phone and local-time helpers (cliniko_decode.h, nookal_decode.h).
set(FD_PRACTICEBETTER_SOURCES practicebetter.c practicebetter_settings.c practicebetter_token.c
    practicebetter_request.c practicebetter_paging.c practicebetter_catalog.c practicebetter_availability.c
    practicebetter_clients.c practicebetter_sessions.c practicebetter_decode.c)
list(TRANSFORM FD_PRACTICEBETTER_SOURCES PREPEND ${CMAKE_CURRENT_LIST_DIR}/)
add_library(fd_practicebetter STATIC ${FD_PRACTICEBETTER_SOURCES})
target_include_directories(fd_practicebetter PUBLIC ${CMAKE_SOURCE_DIR})
target_link_libraries(fd_practicebetter PUBLIC fd_nookal fd_cliniko fd_adapter_util fd_emr_http fd_core fd_tz fd_store
                      PkgConfig::JSONC Threads::Threads)
