// DuckDB reference for bench/writer: builds the same table as bench_writer.c inside DuckDB
// (not timed), then times only `COPY t TO 'x.parquet'` with the same codec.
//   node duckdb_bench.mjs chess|flat ROWS THREADS OUT.parquet
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '../../tests/node/package.json'));
const { DuckDBInstance } = require('@duckdb/node-api');

const [which, rowsArg, threadsArg, out] = process.argv.slice(2);
const rows = Number(rowsArg);
const inst = await DuckDBInstance.create(':memory:', { threads: String(threadsArg) });
const con = await inst.connect();
let codec;
if (which === 'chess') {
	codec = 'zstd';
	await con.run(`CREATE TABLE t AS SELECT
		list_transform(range(10), j -> list_transform(range(69),
			k -> ((i * 31 + k * 7 + (i // 8) * k) % 13)::TINYINT)) AS window,
		[0, 0, 0]::TINYINT[3] AS scalars
		FROM range(${rows}) r(i)`);
} else {
	codec = 'snappy';
	await con.run(`CREATE TABLE t AS SELECT i::BIGINT AS a, (i * 0.5)::DOUBLE AS b,
		'str' || (i % 100)::VARCHAR AS c,
		CASE WHEN i % 10 = 0 THEN NULL ELSE (i * 7)::INTEGER END AS d
		FROM range(${rows}) r(i)`);
}
const u0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
await con.run(`COPY t TO '${out}' (FORMAT parquet, COMPRESSION ${codec})`);
const t1 = process.hrtime.bigint();
const u1 = process.cpuUsage(u0);
console.log(JSON.stringify({ case: which, engine: 'duckdb', rows, threads: Number(threadsArg),
	seconds: Number(t1 - t0) / 1e9, cpu_seconds: (u1.user + u1.system) / 1e6 }));
