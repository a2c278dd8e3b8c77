# providers/bridge.cmake: fd_bridge, the EMR bridge adapter (our own HTTP contract, openapi/emr-bridge.yaml), one
# file per concern (map in bridge.c): settings, the signature, one signed call, the capabilities, the operations (holds included)
# and the pure decoders of the contract's shapes (bridge_decode.c). The ops table (bridge.c) and the choice of
# whose patient records (bridge_own_patients.c) are in fd_providers, next to Frontdesk's own records they use.
set(FD_BRIDGE_SOURCES bridge_settings.c bridge_sign.c bridge_request.c bridge_capabilities.c
    bridge_catalog.c bridge_patients.c bridge_appointments.c bridge_holds.c bridge_decode.c)
list(TRANSFORM FD_BRIDGE_SOURCES PREPEND ${CMAKE_CURRENT_LIST_DIR}/)
add_library(fd_bridge STATIC ${FD_BRIDGE_SOURCES})
target_include_directories(fd_bridge PUBLIC ${CMAKE_SOURCE_DIR})
target_link_libraries(fd_bridge PUBLIC fd_adapter_util fd_emr_http fd_core fd_tz fd_store PkgConfig::JSONC
  PkgConfig::OPENSSL Threads::Threads)
