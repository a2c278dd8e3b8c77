# providers/cliniko.cmake: fd_cliniko, the Cliniko EMR adapter (cliniko.c) and its pure decoders (cliniko_decode.c).
add_library(fd_cliniko STATIC ${CMAKE_CURRENT_LIST_DIR}/cliniko.c ${CMAKE_CURRENT_LIST_DIR}/cliniko_decode.c)
target_include_directories(fd_cliniko PUBLIC ${CMAKE_SOURCE_DIR})
target_link_libraries(fd_cliniko PUBLIC fd_emr_http fd_core fd_tz fd_store PkgConfig::JSONC Threads::Threads)
