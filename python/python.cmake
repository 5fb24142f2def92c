# The CPython extension `hfds._hfds` (python/*.c) over the static libraries, built with the
# stable ABI (Limited API 3.10, one abi3 wheel for every CPython >= 3.10). Enabled by
# -DHFDS_PYTHON=ON, which pyproject.toml (scikit-build-core) sets for `pip install .`;
# the pure-Python part (python/hfds/) is added to the wheel by scikit-build-core itself.
find_package(Python 3.10 REQUIRED COMPONENTS Interpreter Development.Module)
file(GLOB hfds_py_srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/python/*.c)
Python_add_library(_hfds MODULE ${hfds_py_srcs})
target_compile_definitions(_hfds PRIVATE Py_LIMITED_API=0x030A0000)
target_link_libraries(_hfds PRIVATE hfds_publish hfds_chess hfds_hub hfds_store hfds_ingest hfds_dataset hfds_parquet hfds_arrow hfds_util)
# abi3 name (CMake < 3.26 has no Development.SABIModule to name it); C++ runtime for snappy.
set_target_properties(_hfds PROPERTIES PREFIX "" SUFFIX ".abi3.so" LINKER_LANGUAGE CXX)
install(TARGETS _hfds LIBRARY DESTINATION hfds)
