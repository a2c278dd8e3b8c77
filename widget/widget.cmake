# widget/widget.cmake: the booking widget's files, compiled into the frontdesk binary (cmake/embed.cmake) so the
# server needs no file at run time. Sets FD_WIDGET_SOURCES: the generated C files defining srv_widget_script[]
# (frontdesk-widget.js) and srv_widget_demo_page[] (demo.html).
set(FD_WIDGET_SOURCES)
foreach(pair "frontdesk-widget.js:srv_widget_script" "demo.html:srv_widget_demo_page")
  string(REPLACE ":" ";" parts ${pair})
  list(GET parts 0 file)
  list(GET parts 1 name)
  add_custom_command(
    OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/${name}_data.c
    COMMAND ${CMAKE_COMMAND} -DINPUT=${CMAKE_SOURCE_DIR}/widget/${file}
            -DOUTPUT=${CMAKE_CURRENT_BINARY_DIR}/${name}_data.c -DNAME=${name} -P ${CMAKE_SOURCE_DIR}/cmake/embed.cmake
    DEPENDS ${CMAKE_SOURCE_DIR}/widget/${file} ${CMAKE_SOURCE_DIR}/cmake/embed.cmake
    VERBATIM)
  list(APPEND FD_WIDGET_SOURCES ${CMAKE_CURRENT_BINARY_DIR}/${name}_data.c)
endforeach()
