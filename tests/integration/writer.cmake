# Parquet writer: the round-trip, schema and failure tests are unit-test programs
# (tests/unit/parquet/test_write_*.c) that write files and call the npm judges
# (tests/node/judge.mjs, which runs tests/python/judge.py for pyarrow and polars) themselves;
# here they get the time the five readers need.
if(TEST parquet_test_write_roundtrip)
  set_tests_properties(parquet_test_write_roundtrip parquet_test_write_schema
    PROPERTIES TIMEOUT 1500 LABELS "judges;writer")
endif()
if(TEST parquet_test_write_misuse)
  set_tests_properties(parquet_test_write_misuse PROPERTIES TIMEOUT 300 LABELS "writer")
endif()
if(TEST parquet_test_write_dictwidth)
  set_tests_properties(parquet_test_write_dictwidth PROPERTIES TIMEOUT 1500 LABELS "judges;writer")
endif()
