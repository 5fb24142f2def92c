# Dataset acceptance (issue 4, dataset part): 3 configs x train/validation/test with 10 MB
# shards published to an embedded hub, checked with git and the DuckDB judge; re-push,
# versions, delete-config, purge, invalid card, features mismatch, killed publishes.
# Needs node + tests/node/node_modules (scripts/deps.sh) and git.
add_test(NAME dataset_accept
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/dataset_accept.sh $<TARGET_FILE:hfds> ${CMAKE_SOURCE_DIR} all)
set_tests_properties(dataset_accept PROPERTIES TIMEOUT 1200 LABELS "integration;dataset")

# Help texts and usage errors of push / delete-config / purge.
add_test(NAME dataset_cli_usage
  COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/dataset_accept.sh $<TARGET_FILE:hfds> ${CMAKE_SOURCE_DIR} usage)
set_tests_properties(dataset_cli_usage PROPERTIES TIMEOUT 120 LABELS "dataset")
