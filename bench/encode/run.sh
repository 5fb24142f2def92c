#!/bin/sh
# Builds and runs the encoding-kernel micro-benchmarks (release flags, no sanitizers).
# Usage: bench/encode/run.sh [ROWS]   (chess rows; generic columns get 10x ROWS values)
# Compiles the kernel sources directly, so it works while other modules are mid-edit.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${TMPDIR:-/tmp}/hfds-bench-encode
cc -std=c11 -D_GNU_SOURCE -O2 -DNDEBUG -DHFDS_VERSION='"bench"' -I"$root/include" -I"$root/src" \
	"$root/bench/encode/bench_encode.c" "$root"/src/parquet/write/thrift_enc.c "$root"/src/parquet/write/enc_*.c \
	"$root/src/parquet/write/compress.c" "$root/src/util/alloc.c" "$root/src/util/buf.c" "$root/src/util/error.c" \
	$(pkg-config --libs zlib libzstd liblz4 snappy libbrotlienc) -o "$out"
exec "$out" "$@"
