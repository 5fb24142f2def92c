# The Python package (python/, issue 13). py_pkg_build installs it with pip into
# ${CMAKE_BINARY_DIR}/python-pkg from this source tree, exactly as `pip install .` builds it
# (scikit-build-core from the pinned venv, no build isolation, nothing downloaded), in its own
# release build folder: the interpreter is not ASan-instrumented, so the extension must not be
# either. Every py_py_* test (tests/python/test_py_*.py) needs that fixture and imports the
# package from there. Included after python.cmake (file names sort so), which made the tests.
add_test(NAME py_pkg_build
  COMMAND ${HFDS_VENV_PY} -m pip install --quiet --no-build-isolation --no-deps --no-index --upgrade
    --target ${CMAKE_BINARY_DIR}/python-pkg -C build-dir=${CMAKE_BINARY_DIR}/python-build ${CMAKE_SOURCE_DIR}
  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
set_tests_properties(py_pkg_build PROPERTIES TIMEOUT 900 LABELS "python" FIXTURES_SETUP hfds_python
  ENVIRONMENT "CMAKE_BUILD_PARALLEL_LEVEL=2")
file(GLOB py_pkg_tests CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/python/test_py_*.py)
foreach(t ${py_pkg_tests})
  get_filename_component(tname ${t} NAME_WE)
  string(REGEX REPLACE "^test_" "py_" tname ${tname})
  set_property(TEST ${tname} APPEND PROPERTY ENVIRONMENT "PYTHONPATH=${CMAKE_BINARY_DIR}/python-pkg")
  set_property(TEST ${tname} APPEND PROPERTY FIXTURES_REQUIRED hfds_python)
endforeach()
