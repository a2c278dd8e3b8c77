# providers/nookal.cmake: fd_nookal, the Nookal v2 EMR adapter, one file per concern (map in nookal.c): the ops
# table, settings, one RPC call, paging, the operations, the appointment index and the pure decoders
# (nookal_decode.c). It reuses the Cliniko adapter's pure JSON/ID/phone helpers (cliniko_decode.h).
set(FD_NOOKAL_SOURCES nookal.c nookal_settings.c nookal_request.c nookal_paging.c nookal_catalog.c
    nookal_availability.c nookal_patients.c nookal_index.c nookal_appointments.c nookal_decode.c)
list(TRANSFORM FD_NOOKAL_SOURCES PREPEND ${CMAKE_CURRENT_LIST_DIR}/)
add_library(fd_nookal STATIC ${FD_NOOKAL_SOURCES})
target_include_directories(fd_nookal PUBLIC ${CMAKE_SOURCE_DIR})
target_link_libraries(fd_nookal PUBLIC fd_cliniko fd_adapter_util fd_emr_http fd_core fd_tz fd_store PkgConfig::JSONC Threads::Threads)
