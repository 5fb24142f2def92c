# `hfds serve` judged by @huggingface/hub (npm, tests/node/serve_hub.mjs) over loopback. The
# Python judges of the server are tests/python/test_serve_*.py (py_serve_*).
find_program(HFDS_NODE_SERVE node)
if(HFDS_NODE_SERVE)
  add_test(NAME serve_js COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/serve_js.sh)
  set_tests_properties(serve_js PROPERTIES TIMEOUT 300
    ENVIRONMENT "HFDS_BIN=$<TARGET_FILE:hfds>;HFDS_SRC=${CMAKE_SOURCE_DIR}")
endif()

# Help texts and usage errors of `hfds serve` and `hfds token`.
add_test(NAME serve_cli_usage COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/serve_usage.sh $<TARGET_FILE:hfds>)
set_tests_properties(serve_cli_usage PROPERTIES TIMEOUT 120)
