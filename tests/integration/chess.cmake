# Chess integration tests: CLI golden trace / npz / replay checks, the chess.js differential
# replay over every PGN in the shared test data, chess push to an embedded hub (DuckDB
# judge), and (Release builds only) the 2 GB stdin stream under 200 MB RSS.
find_program(HFDS_PYTHON3 python3)
find_program(HFDS_NODE node)

if(HFDS_PYTHON3)
  add_test(NAME chess_cli
    COMMAND ${HFDS_PYTHON3} ${CMAKE_SOURCE_DIR}/tests/integration/chess_cli.py $<TARGET_FILE:hfds>
            ${CMAKE_SOURCE_DIR}/../shared ${CMAKE_CURRENT_BINARY_DIR}/chess_cli_tmp)
endif()

if(HFDS_NODE)
  add_test(NAME chess_js_differential
    COMMAND ${HFDS_NODE} ${CMAKE_SOURCE_DIR}/tests/integration/chess_js_replay.mjs $<TARGET_FILE:hfds>
            ${CMAKE_SOURCE_DIR}/tests/node/node_modules/chess.js ${CMAKE_SOURCE_DIR}/../shared/testdata/pgn)
  set_tests_properties(chess_js_differential PROPERTIES TIMEOUT 600)
  # chess push to an embedded hub, read back with the DuckDB judge
  add_test(NAME chess_push
    COMMAND bash ${CMAKE_SOURCE_DIR}/tests/integration/chess_push.sh $<TARGET_FILE:hfds>
            ${CMAKE_SOURCE_DIR} ${CMAKE_SOURCE_DIR}/../shared)
  set_tests_properties(chess_push PROPERTIES TIMEOUT 600)
endif()

if(CMAKE_BUILD_TYPE STREQUAL "Release" AND NOT HFDS_SANITIZE)
  add_test(NAME chess_stdin_rss
    COMMAND sh ${CMAKE_SOURCE_DIR}/tests/integration/chess_stdin_rss.sh $<TARGET_FILE:hfds>
            ${CMAKE_SOURCE_DIR}/../shared/testdata/pgn/lichess/lichess_db_1000k.pgn)
  set_tests_properties(chess_stdin_rss PROPERTIES TIMEOUT 900)
endif()
