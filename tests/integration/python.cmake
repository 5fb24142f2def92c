# Python judges: every tests/python/test_*.py is one ctest, py_<name>, run with pytest from the
# project venv (tests/python/.venv, made by scripts/deps.sh). The official clients and readers
# (datasets, huggingface_hub, pyarrow, polars, duckdb) judge what hfds writes and serves.
set(HFDS_VENV_PY ${CMAKE_SOURCE_DIR}/tests/python/.venv/bin/python)
file(GLOB py_tests CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/python/test_*.py)
foreach(t ${py_tests})
  get_filename_component(tname ${t} NAME_WE)
  string(REGEX REPLACE "^test_" "" short ${tname})
  add_test(NAME py_${short}
    COMMAND ${HFDS_VENV_PY} -m pytest -q -p no:cacheprovider -x ${t}
    WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
  set_tests_properties(py_${short} PROPERTIES TIMEOUT 900 LABELS "python"
    ENVIRONMENT "HFDS_BIN=$<TARGET_FILE:hfds>;HFDS_SRC=${CMAKE_SOURCE_DIR};HFDS_SHARED=${CMAKE_SOURCE_DIR}/../shared;HFDS_BUILD=${CMAKE_BINARY_DIR};HF_HUB_DISABLE_XET=1;HF_HUB_DISABLE_TELEMETRY=1;HF_HUB_OFFLINE=0;HF_DATASETS_DISABLE_PROGRESS_BARS=1;HF_HUB_DISABLE_PROGRESS_BARS=1")
endforeach()
