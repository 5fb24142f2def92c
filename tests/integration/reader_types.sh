#!/usr/bin/env bash
# Type coverage beyond the corpus: DuckDB writes every type it has (small/unsigned ints,
# decimals up to 38 digits, date/time/timestamps in s..ns, tz, blobs, nested lists/structs/
# maps with nulls) with v1 and v2 pages (DuckDB V2 = DELTA/BYTE_STREAM_SPLIT encodings) and
# each codec; `hfds cat` must print DuckDB's rows. UUIDs are judged by arrow-rs and hyparquet
# (the DuckDB judge prints UUID columns as null).
# usage: reader_types.sh HFDS_BIN SRC_DIR WORK_DIR
set -euo pipefail
hfds="$1"; src="$2"; work="$3"
judge="$src/tests/node/judge.mjs"
mkdir -p "$work"
cat > "$work/gen.mjs" <<JS
const { DuckDBInstance } = await import('$src/tests/node/node_modules/@duckdb/node-api/lib/index.js');
const inst = await DuckDBInstance.create(':memory:', { threads: '1' });
const c = await inst.connect();
const q = \`SELECT (i % 250 - 125)::TINYINT AS i8, (i*10 - 15000)::SMALLINT AS i16, (i % 256)::UTINYINT AS u8,
  (i*1000)::UINTEGER AS u32, (i*1e12)::UBIGINT AS u64, (i * 1e15)::BIGINT AS i64, (i/3)::FLOAT AS f32, (i/7)::DOUBLE AS f64,
  (i*12.345)::DECIMAL(9,3) AS d9, (i*-98765.4321)::DECIMAL(18,4) AS d18, (i*123456789012.123)::DECIMAL(38,3) AS d38,
  DATE '1900-01-01' + (i*400)::INT AS dt, TIME '01:02:03.456789' + INTERVAL (i) SECOND AS tm,
  TIMESTAMP '1969-12-31 23:59:59.999999' + INTERVAL (i) HOUR AS ts, (TIMESTAMP '2000-01-01' + INTERVAL (i) DAY)::TIMESTAMPTZ AS tstz,
  TIMESTAMP_MS '2020-02-02 02:02:02.123' + INTERVAL (i) MINUTE AS tsms, TIMESTAMP_NS '2020-02-02 02:02:02.123456789' AS tsns,
  CASE WHEN i % 3 = 0 THEN NULL ELSE 'str' || i END AS s, ('\\\\x' || lpad(to_hex(i % 256), 2, '0'))::BLOB AS bl,
  i % 2 = 0 AS b, [i, NULL, i+1] AS li, CASE WHEN i % 4 = 0 THEN NULL ELSE [[i], [], NULL] END AS lli,
  {'a': i, 'b': [{'c': 'x' || i, 'd': NULL}]} AS st, MAP {'k' || i: i, 'z': NULL} AS mp,
  CASE WHEN i % 5 = 0 THEN NULL ELSE {'p': NULL, 'q': i} END AS nst
  FROM range(0, 3000) t(i)\`;
for (const [name, opts] of [['v1-snappy', 'COMPRESSION snappy'], ['v2-zstd', 'COMPRESSION zstd, PARQUET_VERSION V2'],
    ['v1-gzip-rg', 'COMPRESSION gzip, ROW_GROUP_SIZE 700'], ['v2-uncompressed', 'COMPRESSION uncompressed, PARQUET_VERSION V2'],
    ['v2-lz4', 'COMPRESSION lz4_raw, PARQUET_VERSION V2'], ['v1-brotli', 'COMPRESSION brotli']])
  await c.run(\`COPY (\${q}) TO '$work/\${name}.parquet' (FORMAT parquet, \${opts})\`);
await c.run(\`COPY (SELECT gen_random_uuid() AS u, (i * 1234567.891)::DECIMAL(30,5) AS d30 FROM range(20) t(i))
  TO '$work/uuid.parquet' (FORMAT parquet)\`);
JS
node "$work/gen.mjs"
fail=0
for f in "$work"/*.parquet; do
  readers=duckdb
  case "$f" in *uuid.parquet) readers=arrow,hyparquet ;; esac
  "$hfds" cat "$f" > "$f.jsonl" || { echo "FAIL: hfds cat $f"; fail=1; continue; }
  node "$judge" --compare "$f.jsonl" "$f" --readers "$readers" || fail=1
done
exit $fail
