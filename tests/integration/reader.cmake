# Parquet reader: conformance against DuckDB/arrow-rs over parquet-testing, CLI behaviour,
# and bounded memory. Needs node + tests/node/node_modules (bash scripts/deps.sh).
find_program(HFDS_READER_NODE node)
find_program(HFDS_READER_PY python3)
set(HFDS_READER_CORPUS ${CMAKE_SOURCE_DIR}/../shared/testdata/parquet-testing)

if(HFDS_READER_NODE AND HFDS_READER_PY)
  add_test(NAME reader_conformance COMMAND ${HFDS_READER_PY}
    ${CMAKE_SOURCE_DIR}/tests/integration/reader_conformance.py $<TARGET_FILE:hfds>
    ${CMAKE_SOURCE_DIR}/../shared ${CMAKE_SOURCE_DIR})
  set_tests_properties(reader_conformance PROPERTIES TIMEOUT 900)

  add_test(NAME reader_memory COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/reader_memory.sh
    $<TARGET_FILE:hfds> ${CMAKE_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/reader-mem)
  set_tests_properties(reader_memory PROPERTIES TIMEOUT 900)
endif()

# cat prints the same with 1 and 3 threads on every corpus file.
add_test(NAME reader_threads_same COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/reader_threads.sh
  $<TARGET_FILE:hfds> ${HFDS_READER_CORPUS})
set_tests_properties(reader_threads_same PROPERTIES TIMEOUT 300)

# info reads only the footer: the 2 GiB-chunk brotli file answers at once.
add_test(NAME reader_info_footer_only COMMAND $<TARGET_FILE:hfds> info --json
  ${HFDS_READER_CORPUS}/data/large_string_map.brotli.parquet)
set_tests_properties(reader_info_footer_only PROPERTIES TIMEOUT 5
  PASS_REGULAR_EXPRESSION "\"uncompressed_size\": 2147483749")

# cat: projection and limit; bad input exits 3 with the offset; encrypted files are refused.
add_test(NAME reader_cat_columns_limit COMMAND $<TARGET_FILE:hfds> cat --limit 2 --columns int_col,id
  ${HFDS_READER_CORPUS}/data/alltypes_plain.parquet)
set_tests_properties(reader_cat_columns_limit PROPERTIES
  PASS_REGULAR_EXPRESSION "^{\"int_col\": 0, \"id\": 4}\n{\"int_col\": 1, \"id\": 5}\n$")
add_test(NAME reader_cat_bad_data COMMAND sh -c "\"$0\" cat \"$1\"; test $? -eq 3"
  $<TARGET_FILE:hfds> ${HFDS_READER_CORPUS}/bad_data/PARQUET-1481.parquet)
set_tests_properties(reader_cat_bad_data PROPERTIES PASS_REGULAR_EXPRESSION "offset 308: footer: schema: invalid physical type -7")
add_test(NAME reader_cat_encrypted COMMAND $<TARGET_FILE:hfds> cat
  ${HFDS_READER_CORPUS}/data/encrypt_columns_and_footer.parquet.encrypted)
set_tests_properties(reader_cat_encrypted PROPERTIES WILL_FAIL FALSE
  PASS_REGULAR_EXPRESSION "encrypted Parquet is not supported")

if(HFDS_READER_NODE AND HFDS_READER_PY)
  add_test(NAME reader_convert COMMAND ${HFDS_READER_PY}
    ${CMAKE_SOURCE_DIR}/tests/integration/reader_convert.py $<TARGET_FILE:hfds>
    ${CMAKE_SOURCE_DIR}/../shared ${CMAKE_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/reader-convert)
  set_tests_properties(reader_convert PROPERTIES TIMEOUT 1200)

  add_test(NAME reader_types COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/reader_types.sh
    $<TARGET_FILE:hfds> ${CMAKE_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/reader-types)
  set_tests_properties(reader_types PROPERTIES TIMEOUT 600)
endif()

# info --page-index: OffsetIndex and ColumnIndex (null_pages) of a file with all-null pages.
add_test(NAME reader_info_page_index COMMAND $<TARGET_FILE:hfds> info --page-index
  ${HFDS_READER_CORPUS}/data/int32_with_null_pages.parquet)
set_tests_properties(reader_info_page_index PROPERTIES
  PASS_REGULAR_EXPRESSION "\"first_row\": 100\n.*\"null_pages\": \\[[^]]*true")

# cat --row-groups selects row groups (sort_columns.parquet has two of three rows each).
add_test(NAME reader_cat_row_groups COMMAND $<TARGET_FILE:hfds> cat --row-groups 1 --columns b --limit 1
  ${HFDS_READER_CORPUS}/data/sort_columns.parquet)
set_tests_properties(reader_cat_row_groups PROPERTIES PASS_REGULAR_EXPRESSION "^{\"b\": \"a\"}\n$")
