#!/usr/bin/env bash
# Reader benchmark: full scan of Parquet files into Arrow arrays (bench/reader/scan.c, one and
# two threads) vs DuckDB materialising the same file (CREATE TABLE AS SELECT *) with threads=1
# and threads=2, plus the codec's raw decompression of the same pages (scan --decompress-only).
# Files (generated once with DuckDB): a 10M-row mixed table (int64, double, short string,
# int32) with snappy, and the same with zstd. Environment from bench/run.sh: HFDS_BIN (release
# CLI; its build directory supplies the static libraries), HFDS_SRC, HFDS_BENCH_OUT.
set -euo pipefail
src="${HFDS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}"
bin="${HFDS_BIN:-$src/build/hfds}"
out="${HFDS_BENCH_OUT:-$src/bench/out/reader}"
rows="${READER_BENCH_ROWS:-10000000}"
mkdir -p "$out"
bdir="$(dirname "$bin")"
libs=""
for m in parquet arrow util; do libs="$libs $bdir/libhfds_$m.a"; done
cc -O2 -D_GNU_SOURCE -I"$src/include" -I"$src/src" -o "$out/scan" "$src/bench/reader/scan.c" $libs \
  -lz -lzstd -llz4 -lsnappy -lbrotlidec -lbrotlienc -lcrypto -ljansson -lm -lpthread -lstdc++

node="$src/tests/node/node_modules/@duckdb/node-api/lib/index.js"
cat > "$out/gen.mjs" <<JS
const { DuckDBInstance } = await import('$node');
const inst = await DuckDBInstance.create(':memory:', { threads: '2' });
const c = await inst.connect();
for (const codec of ['snappy', 'zstd']) {
  await c.run(\`COPY (SELECT i AS id, i * 1.25 + (i % 7) AS x, 'name-' || (i % 100000) AS s, (i % 1000)::INT AS k
    FROM range($rows) t(i)) TO '$out/mixed-\${codec}.parquet' (FORMAT parquet, COMPRESSION \${codec})\`);
}
JS
[ -s "$out/mixed-zstd.parquet" ] || node "$out/gen.mjs"

cat > "$out/duck.mjs" <<JS
const { DuckDBInstance } = await import('$node');
const [file, threads] = process.argv.slice(2);
const inst = await DuckDBInstance.create(':memory:', { threads });
const c = await inst.connect();
if (file !== '-') await c.run(\`CREATE TABLE t AS SELECT * FROM read_parquet('\${file}')\`);
JS
for f in "$out"/mixed-snappy.parquet "$out"/mixed-zstd.parquet; do
  name=$(basename "$f" .parquet)
  echo "== $name: $(stat -c %s "$f") bytes, $rows rows"
  "$out/scan" "$f"
  hyperfine -w 1 -r 5 --export-json "$out/$name.json" \
    -n "hfds scan (1 thread)" "$out/scan $f" \
    -n "hfds scan (2 threads)" "$out/scan $f --threads=2" \
    -n "codec only" "$out/scan $f --decompress-only" \
    -n "duckdb threads=1" "node $out/duck.mjs $f 1" \
    -n "duckdb threads=2" "node $out/duck.mjs $f 2" \
    -n "node + duckdb startup" "node $out/duck.mjs - 1" 2>&1 | grep -v '^ *$'
done
