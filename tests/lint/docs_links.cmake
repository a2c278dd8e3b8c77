# tests/lint/docs_links.cmake: every relative link and path named in the Markdown files resolves inside the
# repository (scripts/check-links.sh), so a clone stands on its own.
add_test(NAME docs_links COMMAND ${CMAKE_SOURCE_DIR}/scripts/check-links.sh)
set_tests_properties(docs_links PROPERTIES LABELS lint)
