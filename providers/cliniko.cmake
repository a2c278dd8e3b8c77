# providers/cliniko.cmake: fd_cliniko, the Cliniko EMR adapter, one file per concern (map in cliniko.c): the ops
# table, settings, one request, the paged-job engine, the operations, and the pure decoders (cliniko_decode.c);
# with them the patient-search matching rule every adapter shares (patient_match.c, next to the phone rules).
set(FD_CLINIKO_SOURCES cliniko.c cliniko_settings.c cliniko_request.c cliniko_paging.c cliniko_catalog.c
    cliniko_availability.c cliniko_patients.c cliniko_appointments.c cliniko_decode.c patient_match.c)
list(TRANSFORM FD_CLINIKO_SOURCES PREPEND ${CMAKE_CURRENT_LIST_DIR}/)
add_library(fd_cliniko STATIC ${FD_CLINIKO_SOURCES})
target_include_directories(fd_cliniko PUBLIC ${CMAKE_SOURCE_DIR})
target_link_libraries(fd_cliniko PUBLIC fd_adapter_util fd_emr_http fd_core fd_tz fd_store PkgConfig::JSONC Threads::Threads)
