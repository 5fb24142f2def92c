# Strict numeric options of every command (issue 16 item 10).
add_test(NAME cli_numbers_usage
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/cli_usage.sh $<TARGET_FILE:hfds> ${CMAKE_SOURCE_DIR}/../shared)
set_tests_properties(cli_numbers_usage PROPERTIES TIMEOUT 300 LABELS "cli")

# Errors with their place: empty or directory inputs, a YAML alias bomb (issue 16 item 22).
add_test(NAME cli_error_places
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/cli_errors.sh $<TARGET_FILE:hfds>)
set_tests_properties(cli_error_places PROPERTIES TIMEOUT 120 LABELS "cli")
