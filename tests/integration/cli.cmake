# Strict numeric options of every command (issue 16 item 10).
add_test(NAME cli_numbers_usage
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/cli_usage.sh $<TARGET_FILE:hfds> ${CMAKE_SOURCE_DIR}/../shared)
set_tests_properties(cli_numbers_usage PROPERTIES TIMEOUT 300 LABELS "cli")
