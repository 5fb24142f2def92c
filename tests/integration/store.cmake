# The embedded hub through the CLI: repo lifecycle, refs, hostile ids and paths, target
# choice (--endpoint > HF_ENDPOINT > HF token > embedded hub), git compatibility, --help.
foreach(case lifecycle refs hostile target git help)
  add_test(NAME store_cli_${case}
    COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/store_cli.sh $<TARGET_FILE:hfds> ${case})
endforeach()
