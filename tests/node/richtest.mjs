#!/usr/bin/env node
// Writes a Parquet file with arrow-rs (parquet-wasm) holding the types hfds writes — uint64
// and int64 extremes, float edge cases, large_string, binary, timestamps with and without a
// time zone, date32, fixed_size_list, nested lists, struct, dictionary — and checks that each
// judge prints exactly the rows below, written by hand from the input values (not from any
// reader). Prints "N passed, N failed".
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { readRows, toJson } from './judge.mjs';

const require = createRequire(import.meta.url);
const A = require('apache-arrow');
const pw = await import('parquet-wasm/esm');
pw.initSync({ module: readFileSync(require.resolve('parquet-wasm/esm/parquet_wasm_bg.wasm')) });

const valid = new Uint8Array([0b10111]); // row 3 is null
const raw = (type, data) => A.makeVector(A.makeData({ type, length: 5, nullCount: 1, nullBitmap: valid, data }));
const item = t => new A.Field('item', t, true);
const table = new A.Table({
	u64: A.vectorFromArray([0n, 18446744073709551615n, null, 5n, 9007199254740993n], new A.Uint64),
	i64: A.vectorFromArray([-9223372036854775808n, 9223372036854775807n, 1n, null, -1n], new A.Int64),
	u8: A.vectorFromArray([0, 255, 128, null, 7], new A.Uint8),
	f32: A.vectorFromArray([0.1, -0, NaN, Infinity, 3.4028234663852886e38], new A.Float32),
	f64: A.vectorFromArray([0.1, 1e21, 1e-7, -Infinity, null], new A.Float64),
	ls: A.vectorFromArray(['a', 'é€😀', null, '', 'x'], new A.LargeUtf8),
	bin: A.vectorFromArray([new Uint8Array([0, 255]), null, new Uint8Array([]), new Uint8Array([1]), new Uint8Array([2, 3, 4])], new A.Binary),
	tsms: raw(new A.TimestampMillisecond('UTC'), new BigInt64Array([0n, 1n, -1n, 0n, 1700000000123n])),
	tsns: raw(new A.TimestampNanosecond(), new BigInt64Array([0n, 1n, -1n, 0n, 1700000000123456789n])),
	d: raw(new A.DateDay, new Int32Array([0, -1, 19000, 0, 2932896])),
	fsl: A.vectorFromArray([[1, 2, 3], [4, 5, 6], null, [7, 8, 9], [0, 0, 0]], new A.FixedSizeList(3, item(new A.Int8))),
	ll: A.vectorFromArray([[[1], []], null, [], [[null, 2]], [[3, 4, 5]]], new A.List(item(new A.List(item(new A.Int32))))),
	st: A.vectorFromArray([{ a: 1, b: 'x' }, null, { a: null, b: 'y' }, { a: 3, b: null }, { a: 4, b: 'z' }],
		new A.Struct([new A.Field('a', new A.Int16, true), new A.Field('b', new A.Utf8, true)])),
	dict: A.vectorFromArray(['cat', 'dog', 'cat', null, 'bird'], new A.Dictionary(new A.Utf8, new A.Int32)),
});

const EXPECTED = [
	'{"u64": 0, "i64": -9223372036854775808, "u8": 0, "f32": 0.1, "f64": 0.1, "ls": "a", "bin": "AP8=", "tsms": "1970-01-01T00:00:00.000Z", "tsns": "1970-01-01T00:00:00.000000000", "d": "1970-01-01", "fsl": [1, 2, 3], "ll": [[1], []], "st": {"a": 1, "b": "x"}, "dict": "cat"}',
	'{"u64": 18446744073709551615, "i64": 9223372036854775807, "u8": 255, "f32": -0, "f64": 1e+21, "ls": "é€😀", "bin": null, "tsms": "1970-01-01T00:00:00.001Z", "tsns": "1970-01-01T00:00:00.000000001", "d": "1969-12-31", "fsl": [4, 5, 6], "ll": null, "st": null, "dict": "dog"}',
	'{"u64": null, "i64": 1, "u8": 128, "f32": "NaN", "f64": 1e-7, "ls": null, "bin": "", "tsms": "1969-12-31T23:59:59.999Z", "tsns": "1969-12-31T23:59:59.999999999", "d": "2022-01-08", "fsl": null, "ll": [], "st": {"a": null, "b": "y"}, "dict": "cat"}',
	'{"u64": 5, "i64": null, "u8": null, "f32": "Infinity", "f64": "-Infinity", "ls": "", "bin": "AQ==", "tsms": null, "tsns": null, "d": null, "fsl": [7, 8, 9], "ll": [[null, 2]], "st": {"a": 3, "b": null}, "dict": null}',
	'{"u64": 9007199254740993, "i64": -1, "u8": 7, "f32": 3.4028235e+38, "f64": null, "ls": "x", "bin": "AgME", "tsms": "2023-11-14T22:13:20.123Z", "tsns": "2023-11-14T22:13:20.123456789", "d": "9999-12-31", "fsl": [0, 0, 0], "ll": [[3, 4, 5]], "st": {"a": 4, "b": "z"}, "dict": "bird"}',
];

const dir = mkdtempSync(join(tmpdir(), 'hfds-richtest-'));
const file = join(dir, 'rich.parquet');
let passed = 0, failed = 0;
try {
	const props = new pw.WriterPropertiesBuilder().setCompression(pw.Compression.SNAPPY).build();
	writeFileSync(file, pw.writeParquet(pw.Table.fromIPCStream(A.tableToIPC(table, 'stream')), props));
	for (const reader of ['duckdb', 'arrow', 'hyparquet']) {
		const got = (await readRows(reader, file, null)).map(toJson);
		const bad = EXPECTED.findIndex((line, i) => got[i] !== line);
		if (got.length === EXPECTED.length && bad < 0) { passed++; console.log(`ok ${reader}`); continue; }
		failed++;
		console.log(`FAIL ${reader}: row ${bad}\n  expected: ${EXPECTED[bad]}\n  got:      ${got[bad]}`);
	}
} finally {
	rmSync(dir, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
