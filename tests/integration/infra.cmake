# Tests of the test tools themselves: the judges (tests/node/judge.mjs, tests/python/judge.py)
# must agree with each other on corpus files, must notice a difference, and must format floats
# canonically.
# Needs `bash scripts/deps.sh` (make check runs it) for tests/node/node_modules.
find_program(HFDS_NODE node)
set(HFDS_JUDGE ${CMAKE_SOURCE_DIR}/tests/node/judge.mjs)
set(HFDS_CORPUS ${CMAKE_SOURCE_DIR}/../shared/testdata/parquet-testing/data)

if(HFDS_NODE)
  add_test(NAME infra_judge_selftest COMMAND ${HFDS_NODE} ${CMAKE_SOURCE_DIR}/tests/node/selftest.mjs)
  # A file written by arrow-rs with the types hfds writes; rows expected from the input values.
  add_test(NAME infra_judge_richtest COMMAND ${HFDS_NODE} ${CMAKE_SOURCE_DIR}/tests/node/richtest.mjs)

  # DuckDB's rows are the expectation; arrow-rs, hyparquet, pyarrow and polars (the last two
  # through tests/python/judge.py and the project venv) must print the same values.
  foreach(f alltypes_plain datapage_v2.snappy nested_lists.snappy list_columns int32_decimal
            fixed_length_decimal float16_nonzeros_and_nans nested_maps.snappy delta_binary_packed
            byte_stream_split.zstd nullable.impala)
    set(out ${CMAKE_CURRENT_BINARY_DIR}/judge-${f}.jsonl)
    add_test(NAME infra_judge_agree_${f} COMMAND sh -c
      "\"$0\" \"$1\" --reader duckdb \"$2\" > \"$3\" && \"$0\" \"$1\" --compare \"$3\" \"$2\" --readers duckdb,arrow,hyparquet,pyarrow,polars"
      ${HFDS_NODE} ${HFDS_JUDGE} ${HFDS_CORPUS}/${f}.parquet ${out})
  endforeach()

  # A changed value must be reported (exit 1), with the row and column named.
  add_test(NAME infra_judge_detects_difference COMMAND sh -c
    "\"$0\" \"$1\" --reader duckdb \"$2\" | sed 's/\"2.00\"/\"2.01\"/' > \"$3\" || exit 2
     \"$0\" \"$1\" --compare \"$3\" \"$2\" > \"$3.log\" 2>&1; rc=$?; cat \"$3.log\"
     test $rc -eq 1 && grep -q 'row 1, column value' \"$3.log\""
    ${HFDS_NODE} ${HFDS_JUDGE} ${HFDS_CORPUS}/int32_decimal.parquet ${CMAKE_CURRENT_BINARY_DIR}/judge-bad.jsonl)

  add_test(NAME infra_judge_kv COMMAND ${HFDS_NODE} ${HFDS_JUDGE} --kv ${HFDS_CORPUS}/alltypes_tiny_pages.parquet)
  set_tests_properties(infra_judge_kv PROPERTIES PASS_REGULAR_EXPRESSION "\"writer.model.name\": \"2.1.1-cdh6.x-SNAPSHOT\"")
  add_test(NAME infra_judge_schema COMMAND ${HFDS_NODE} ${HFDS_JUDGE} --schema ${HFDS_CORPUS}/int32_decimal.parquet)
  set_tests_properties(infra_judge_schema PROPERTIES PASS_REGULAR_EXPRESSION "\"duckdb_type\": \"DECIMAL\\(4,2\\)\"")
else()
  message(WARNING "node not found: the judge tests (infra_judge_*) are not registered")
endif()

# Every public header compiles on its own (and twice: include guard), as strict C11 and as C++.
add_test(NAME infra_headertest COMMAND sh -c "
  rc=0; for h in \"$0\"/include/hfds/*.h; do
    n=hfds/\$(basename \"$h\")
    printf '#include \"%s\"\\n#include \"%s\"\\nint hfds_headertest_dummy;\\n' \"$n\" \"$n\" > \"$3/headertest.c\"
    \"$1\" -std=c11 -Wall -Wextra -pedantic -Werror -fsyntax-only -I\"$0\"/include \"$3/headertest.c\" || { echo \"C11: $n\"; rc=1; }
    \"$2\" -x c++ -std=c++17 -Wall -Wextra -pedantic -Werror -fsyntax-only -I\"$0\"/include \"$3/headertest.c\" || { echo \"C++: $n\"; rc=1; }
  done; exit $rc"
  ${CMAKE_SOURCE_DIR} ${CMAKE_C_COMPILER} ${CMAKE_CXX_COMPILER} ${CMAKE_CURRENT_BINARY_DIR})

# The public API alone (item 7 of issue 16): a program that includes only include/hfds/ and
# links only libhfds.so, freeing what the API returns with hfds_free; and every function a
# public header names is exported by that library.
add_executable(public_api ${CMAKE_SOURCE_DIR}/tests/integration/public_api.c)
set_target_properties(public_api PROPERTIES INCLUDE_DIRECTORIES ${CMAKE_SOURCE_DIR}/include)
target_link_libraries(public_api PRIVATE hfds_shared)
add_test(NAME infra_public_api COMMAND public_api ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(infra_public_api PROPERTIES PASS_REGULAR_EXPRESSION "public API ok")
add_test(NAME infra_public_exports COMMAND sh ${CMAKE_SOURCE_DIR}/scripts/check_exports.sh
  ${CMAKE_SOURCE_DIR} $<TARGET_FILE:hfds_shared>)

# Module includes follow the layer order and match the CMake link graph (item 12 of issue 16).
add_test(NAME infra_layers COMMAND bash ${CMAKE_SOURCE_DIR}/scripts/check_layers.sh ${CMAKE_SOURCE_DIR})

get_property(infra_tests DIRECTORY PROPERTY TESTS)
foreach(t ${infra_tests})
  if(t MATCHES "^infra_")
    set_property(TEST ${t} APPEND PROPERTY LABELS infra)
  endif()
endforeach()
