#!/usr/bin/env node
// Independent Parquet readers for the hfds test suite (see README.md beside this file).
//
//   node judge.mjs --reader duckdb|arrow|hyparquet [--columns a,b] FILE.parquet
//   node judge.mjs --schema FILE | --kv FILE | --meta FILE
//   node judge.mjs --compare EXPECTED.jsonl FILE.parquet [--readers duckdb,arrow,hyparquet,pyarrow,polars] [--columns a,b]
//
// pyarrow and polars (tests/python/judge.py, run with tests/python/.venv or $HFDS_PYTHON) take
// part in --compare when --readers names them.
//
// Every reader's values are normalised to the canonical row format. The Parquet schema (read
// with hyparquet's footer parser) decides how a leaf is rendered, so a reader that widens a
// type (DuckDB: FLOAT16 as FLOAT, TIMESTAMP(MILLIS) as microseconds) still prints the digits of
// the file's own type. Integers travel as BigInt and temporal values as integer ticks; nothing
// exact goes through a double or a JS Date.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { parquetMetadata, parquetSchema, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';

const require = createRequire(import.meta.url);
const READERS = ['duckdb', 'arrow', 'hyparquet'];
// pyarrow and polars run in tests/python/judge.py (the project venv); --readers names them.
const PY_READERS = ['pyarrow', 'polars'];
const HERE = dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------------------------------------
// Schema descriptors: what each top-level column is, from the Parquet schema itself.

const UNIT = { MILLIS: 'ms', MICROS: 'us', NANOS: 'ns' };
const TICKS_PER_SEC = { s: 1n, ms: 1000n, us: 1000000n, ns: 1000000000n };
const FRAC_DIGITS = { s: 0, ms: 3, us: 6, ns: 9 };

function leafDesc(el) {
	const lt = el.logical_type || {};
	const ct = el.converted_type;
	const phys = el.type;
	const base = { kind: 'leaf', phys };
	if (phys === 'BOOLEAN') return { ...base, t: 'bool' };
	if (phys === 'FLOAT') return { ...base, t: 'f32' };
	if (phys === 'DOUBLE') return { ...base, t: 'f64' };
	if (phys === 'INT96') return { ...base, t: 'ts', unit: 'ns', utc: true };
	if (lt.type === 'DECIMAL' || ct === 'DECIMAL') return { ...base, t: 'decimal', scale: lt.scale ?? el.scale ?? 0 };
	if (phys === 'INT32' || phys === 'INT64') {
		if (lt.type === 'DATE' || ct === 'DATE') return { ...base, t: 'date' };
		if (lt.type === 'TIME') return { ...base, t: 'time', unit: UNIT[lt.unit] };
		if (ct === 'TIME_MILLIS') return { ...base, t: 'time', unit: 'ms' };
		if (ct === 'TIME_MICROS') return { ...base, t: 'time', unit: 'us' };
		if (lt.type === 'TIMESTAMP') return { ...base, t: 'ts', unit: UNIT[lt.unit], utc: !!lt.isAdjustedToUTC };
		if (ct === 'TIMESTAMP_MILLIS') return { ...base, t: 'ts', unit: 'ms', utc: true };
		if (ct === 'TIMESTAMP_MICROS') return { ...base, t: 'ts', unit: 'us', utc: true };
		const bits = phys === 'INT32' ? 32 : 64;
		if (lt.type === 'INTEGER') return { ...base, t: 'int', bits: lt.bitWidth, signed: lt.isSigned };
		const m = /^(U?)INT_(8|16|32|64)$/.exec(ct || '');
		if (m) return { ...base, t: 'int', bits: Number(m[2]), signed: m[1] !== 'U' };
		return { ...base, t: 'int', bits, signed: true };
	}
	if (phys === 'FIXED_LEN_BYTE_ARRAY' && lt.type === 'FLOAT16') return { ...base, t: 'f16' };
	if (['STRING', 'ENUM', 'JSON'].includes(lt.type) || ['UTF8', 'ENUM', 'JSON'].includes(ct)) return { ...base, t: 'string' };
	return { ...base, t: 'binary' };
}

function isRepeated(node) { return node.element.repetition_type === 'REPEATED'; }

function nodeDesc(node) {
	// A repeated field outside a LIST/MAP annotation is a list of required values.
	if (isRepeated(node)) return { kind: 'list', child: innerDesc(node) };
	return innerDesc(node);
}

function innerDesc(node) {
	const el = node.element;
	if (!node.children.length) return leafDesc(el);
	const ct = el.converted_type, lt = el.logical_type?.type;
	if ((ct === 'LIST' || lt === 'LIST') && node.children.length === 1 && isRepeated(node.children[0])) {
		const rep = node.children[0];
		const legacy = rep.children.length !== 1 || rep.element.name === 'array' || rep.element.name === `${el.name}_tuple`;
		return { kind: 'list', child: legacy ? innerDesc(rep) : nodeDesc(rep.children[0]) };
	}
	if ((ct === 'MAP' || ct === 'MAP_KEY_VALUE' || lt === 'MAP') && node.children.length === 1 && isRepeated(node.children[0])) {
		const kv = node.children[0];
		// A MAP without a value field is read as a list of its keys by arrow-rs and hyparquet.
		if (kv.children.length === 1) return { kind: 'list', child: nodeDesc(kv.children[0]) };
		return { kind: 'map', key: nodeDesc(kv.children[0]), value: nodeDesc(kv.children[1]) };
	}
	return { kind: 'struct', fields: node.children.map(c => [c.element.name, nodeDesc(c)]) };
}

function fileSchema(bytes) {
	const metadata = parquetMetadata(bytes, { geoparquet: false });
	const root = parquetSchema(metadata);
	const columns = root.children.map(c => ({ name: c.element.name, desc: nodeDesc(c) }));
	return { metadata, root, columns };
}

// ---------------------------------------------------------------------------------------------
// Canonical rendering. Readers hand over "generic" values: null, boolean, BigInt (integers,
// decimal unscaled values, date days), number (floats), string, Uint8Array, {ticks, unit}
// (time and timestamps), arrays (lists), Map name->value (structs), arrays of [k, v] (maps).

class Num { constructor(text) { this.text = text; } }

function floorDiv(a, b) { const q = a / b; return (a % b !== 0n && ((a < 0n) !== (b < 0n))) ? q - 1n : q; }

function civil(days) { // days since 1970-01-01 -> [y, m, d] (proleptic Gregorian)
	const z = days + 719468n;
	const era = floorDiv(z, 146097n);
	const doe = z - era * 146097n;
	const yoe = (doe - doe / 1460n + doe / 36524n - doe / 146096n) / 365n;
	const doy = doe - (365n * yoe + yoe / 4n - yoe / 100n);
	const mp = (5n * doy + 2n) / 153n;
	const d = doy - (153n * mp + 2n) / 5n + 1n;
	const m = mp < 10n ? mp + 3n : mp - 9n;
	const y = yoe + era * 400n + (m <= 2n ? 1n : 0n);
	return [y, m, d];
}

const pad = (v, n) => String(v).padStart(n, '0');
function fmtDate(days) {
	const [y, m, d] = civil(BigInt(days));
	const ys = y < 0n ? '-' + pad(-y, 4) : pad(y, 4);
	return `${ys}-${pad(m, 2)}-${pad(d, 2)}`;
}
function fmtTimeOfDay(ticks, unit) { // 0 <= ticks < one day
	const per = TICKS_PER_SEC[unit];
	const secs = ticks / per, frac = ticks % per;
	const hh = secs / 3600n, mm = (secs / 60n) % 60n, ss = secs % 60n;
	let s = `${pad(hh, 2)}:${pad(mm, 2)}:${pad(ss, 2)}`;
	if (FRAC_DIGITS[unit]) s += '.' + pad(frac, FRAC_DIGITS[unit]);
	return s;
}
function convertTicks(v, unit) { // {ticks, unit} -> BigInt ticks in `unit` (floor when coarser)
	const from = TICKS_PER_SEC[v.unit], to = TICKS_PER_SEC[unit];
	return from === to ? v.ticks : from < to ? v.ticks * (to / from) : floorDiv(v.ticks, from / to);
}
function fmtTimestamp(ticks, unit, utc) {
	const perDay = 86400n * TICKS_PER_SEC[unit];
	const days = floorDiv(ticks, perDay);
	return `${fmtDate(days)}T${fmtTimeOfDay(ticks - days * perDay, unit)}${utc ? 'Z' : ''}`;
}

function fmtDecimal(unscaled, scale) {
	const neg = unscaled < 0n;
	let digits = (neg ? -unscaled : unscaled).toString();
	if (scale > 0) {
		digits = digits.padStart(scale + 1, '0');
		digits = digits.slice(0, -scale) + '.' + digits.slice(-scale);
	}
	return (neg ? '-' : '') + digits;
}

// Half precision: round a double to the nearest float16 (ties to even), and back.
function roundHalfEven(q) { const f = Math.floor(q), d = q - f; return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f; }
export function toHalf(x) {
	if (!Number.isFinite(x)) return x;
	const a = Math.abs(x), s = x < 0 || Object.is(x, -0) ? -1 : 1;
	if (a >= 65520) return s * Infinity;
	if (a < 2 ** -14) return s * roundHalfEven(a / 2 ** -24) * 2 ** -24;
	let e = Math.floor(Math.log2(a));
	while (2 ** e > a) e--;
	while (2 ** (e + 1) <= a) e++;
	const ulp = 2 ** (e - 10);
	return s * roundHalfEven(a / ulp) * ulp;
}
export function halfBitsToNumber(bits) {
	const sign = bits & 0x8000 ? -1 : 1, exp = (bits >> 10) & 0x1f, frac = bits & 0x3ff;
	if (exp === 0) return sign * frac * 2 ** -24;
	if (exp === 0x1f) return frac ? NaN : sign * Infinity;
	return sign * (1024 + frac) * 2 ** (exp - 25);
}

// Shortest decimal that rounds back to v at a narrower width, rendered like Number#toString.
function shortestAt(v, round, maxDigits) {
	for (let p = 1; p <= maxDigits; p++) {
		const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(v.toExponential(p - 1));
		const mant = BigInt(m[2] + (m[3] || '')), exp = Number(m[4]) - (p - 1);
		let best = null;
		for (const c of [mant - 1n, mant, mant + 1n]) {
			if (c <= 0n) continue;
			const n = Number(`${m[1]}${c}e${exp}`);
			if (round(n) === v && (best === null || Math.abs(n - v) < Math.abs(best - v))) best = n;
		}
		if (best !== null) return String(best);
	}
	return String(v);
}
export function fmtFloat(v, width) {
	if (Number.isNaN(v)) return 'NaN';
	if (v === Infinity) return 'Infinity';
	if (v === -Infinity) return '-Infinity';
	if (v === 0) return new Num(Object.is(v, -0) ? '-0' : '0');
	if (width === 64) return new Num(String(v));
	if (width === 32) return new Num(shortestAt(Math.fround(v), Math.fround, 9));
	return new Num(shortestAt(toHalf(v), toHalf, 5));
}

function b64(bytes) { return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'); }
const utf8dec = new TextDecoder('utf-8');
function bytesToString(b) { return typeof b === 'string' ? b : utf8dec.decode(b); }

function render(desc, v, where) {
	if (v === null || v === undefined) return null;
	switch (desc.kind) {
	case 'list':
		if (!Array.isArray(v)) throw new Error(`${where}: expected a list, got ${typeof v}`);
		return v.map((x, i) => render(desc.child, x, `${where}[${i}]`));
	case 'struct': {
		const out = new Map();
		for (const [name, d] of desc.fields) out.set(name, render(d, v.get(name), `${where}.${name}`));
		return out;
	}
	case 'map':
		return v.map(([k, x]) => new Map([['key', render(desc.key, k, `${where}.key`)],
			['value', render(desc.value, x, `${where}.value`)]]));
	}
	switch (desc.t) {
	case 'bool': return !!v;
	case 'int': return new Num(BigInt(v).toString());
	case 'f64': return fmtFloat(v, 64);
	case 'f32': return fmtFloat(v, 32);
	case 'f16': return fmtFloat(v, 16);
	case 'string': return bytesToString(v);
	case 'binary': return b64(typeof v === 'string' ? new TextEncoder().encode(v) : v);
	case 'decimal': return fmtDecimal(BigInt(v), desc.scale);
	case 'date': return fmtDate(v);
	case 'time': return fmtTimeOfDay(convertTicks(v, desc.unit), desc.unit);
	case 'ts': return fmtTimestamp(convertTicks(v, desc.unit), desc.unit, desc.utc);
	}
	throw new Error(`${where}: unhandled type ${desc.t}`);
}

// Separators as Python's json.dumps and `hfds cat` write them (", " and ": ").
export function toJson(v) {
	if (v === null) return 'null';
	if (v instanceof Num) return v.text;
	if (typeof v === 'string') return JSON.stringify(v);
	if (typeof v === 'boolean') return v ? 'true' : 'false';
	if (typeof v === 'bigint') return v.toString();
	if (typeof v === 'number') return Number.isFinite(v) ? String(v) : JSON.stringify(String(v));
	if (Array.isArray(v)) return '[' + v.map(toJson).join(', ') + ']';
	if (v instanceof Map) return '{' + [...v].map(([k, x]) => JSON.stringify(k) + ': ' + toJson(x)).join(', ') + '}';
	return '{' + Object.entries(v).map(([k, x]) => JSON.stringify(k) + ': ' + toJson(x)).join(', ') + '}';
}

// ---------------------------------------------------------------------------------------------
// Readers. Each returns rows as arrays of generic values, one per selected column.

function twosComplementBE(bytes) {
	let v = 0n;
	for (const b of bytes) v = (v << 8n) | BigInt(b);
	return bytes.length && bytes[0] & 0x80 ? v - (1n << BigInt(bytes.length * 8)) : v;
}

// DuckDB node-api values -> generic.
function fromDuckdb(desc, v) {
	if (v === null || v === undefined) return null;
	if (desc.kind === 'list') return v.items.map(x => fromDuckdb(desc.child, x));
	if (desc.kind === 'struct') return new Map(desc.fields.map(([n, d]) => [n, fromDuckdb(d, v.entries[n])]));
	if (desc.kind === 'map') return v.entries.map(e => [fromDuckdb(desc.key, e.key), fromDuckdb(desc.value, e.value)]);
	switch (desc.t) {
	case 'int': return BigInt(v);
	case 'decimal':
		if (typeof v.value === 'bigint') return v.value * 10n ** BigInt(desc.scale - v.scale);
		throw new Error(`duckdb returned a decimal as ${typeof v} (precision above 38?)`);
	case 'binary': return v.bytes;
	case 'string': return typeof v === 'string' ? v : String(v);
	case 'date': return BigInt(v.days);
	case 'time': case 'ts': {
		for (const [field, unit] of [['nanos', 'ns'], ['micros', 'us'], ['millis', 'ms'], ['seconds', 's']])
			if (v[field] !== undefined) return { ticks: BigInt(v[field]), unit };
		throw new Error(`duckdb: unexpected temporal value ${v?.constructor?.name}`);
	}
	}
	return v; // bool, floats
}

const sqlStr = s => `'${s.replaceAll("'", "''")}'`;
const sqlId = s => `"${s.replaceAll('"', '""')}"`;

async function duckdbConn() {
	const { DuckDBInstance } = await import('@duckdb/node-api');
	const inst = await DuckDBInstance.create(':memory:', { threads: '2' });
	return inst.connect();
}

async function readDuckdb(file, cols) {
	const conn = await duckdbConn();
	const sel = cols.map(c => sqlId(c.name)).join(', ');
	const reader = await conn.runAndReadAll(`SELECT ${sel} FROM read_parquet(${sqlStr(file)})`);
	return reader.getRows().map(row => row.map((v, i) => fromDuckdb(cols[i].desc, v)));
}

// Arrow (arrow-rs through parquet-wasm): walk the Arrow buffers ourselves, so int64 and
// timestamps stay BigInt (apache-arrow's getters turn timestamps into double milliseconds).
const ARROW_UNIT = ['s', 'ms', 'us', 'ns'];

function arrowValid(data, i) {
	if (data.typeId === 1) return false; // Null type
	if (!data.nullBitmap || !data.nullBitmap.length || data.nullCount === 0) return true;
	const pos = data.offset + i;
	return (data.nullBitmap[pos >> 3] & (1 << (pos & 7))) !== 0;
}

function arrowBytes(data, i) {
	const a = Number(data.valueOffsets[i]), b = Number(data.valueOffsets[i + 1]);
	return data.values.subarray(a, b);
}

function fromArrow(desc, data, i) {
	if (!arrowValid(data, i)) return null;
	const type = data.type;
	switch (type.typeId) {
	case -1: case 0: break;
	case 2: return BigInt(data.values[i]); // Int
	case 3: // Float
		return type.precision === 0 ? halfBitsToNumber(data.values[i]) : data.values[i];
	case 4: case 5: case 19: case 20: return arrowBytes(data, i); // (Large)Binary/Utf8
	case 23: case 24: { // views: use apache-arrow's getter
		const { makeVector } = require('apache-arrow');
		return makeVector(data).get(i);
	}
	case 6: { const p = data.offset + i; return (data.values[p >> 3] & (1 << (p & 7))) !== 0; }
	case 7: { // Decimal: little-endian 32-bit words, two's complement
		const words = type.bitWidth / 32;
		let v = 0n;
		for (let w = words - 1; w >= 0; w--) v = (v << 32n) | BigInt(data.values[i * words + w]);
		return BigInt.asIntN(type.bitWidth, v);
	}
	case 8: // Date: DAY = 0 (int32 days), MILLISECOND = 1
		return type.unit === 0 ? BigInt(data.values[i]) : floorDiv(BigInt(data.values[i]), 86400000n);
	case 9: case 10: return { ticks: BigInt(data.values[i]), unit: ARROW_UNIT[type.unit] };
	case 15: return data.values.subarray(i * type.byteWidth, (i + 1) * type.byteWidth);
	case 12: case 21: case 16: { // List, LargeList, FixedSizeList
		const child = data.children[0];
		const [a, b] = type.typeId === 16 ? [i * type.listSize, (i + 1) * type.listSize]
			: [Number(data.valueOffsets[i]), Number(data.valueOffsets[i + 1])];
		const out = [];
		for (let j = a; j < b; j++) out.push(fromArrow(desc.child, child, j));
		return out;
	}
	case 13: { // Struct
		const out = new Map();
		type.children.forEach((f, k) => {
			const d = desc.fields.find(([n]) => n === f.name);
			out.set(f.name, d ? fromArrow(d[1], data.children[k], i) : null);
		});
		return out;
	}
	case 17: { // Map: offsets into a struct<key, value>
		const entries = data.children[0];
		const out = [];
		for (let j = data.valueOffsets[i]; j < data.valueOffsets[i + 1]; j++)
			out.push([fromArrow(desc.key, entries.children[0], j),
				fromArrow(desc.value, entries.children[1], j)]);
		return out;
	}
	}
	if (type.typeId === -1 || data.dictionary) { // Dictionary
		const dict = data.dictionary.data;
		let k = Number(data.values[i]);
		for (const chunk of dict) {
			if (k < chunk.length) return fromArrow(desc, chunk, k);
			k -= chunk.length;
		}
		throw new Error('arrow: dictionary index out of range');
	}
	throw new Error(`arrow: unsupported Arrow type ${type}`);
}

let wasmReady = null;
async function parquetWasm() {
	if (!wasmReady) {
		const pw = await import('parquet-wasm/esm');
		const wasmPath = require.resolve('parquet-wasm/esm/parquet_wasm_bg.wasm');
		pw.initSync({ module: readFileSync(wasmPath) });
		wasmReady = pw;
	}
	return wasmReady;
}

async function readArrow(file, cols, bytes) {
	const pw = await parquetWasm();
	const { tableFromIPC } = await import('apache-arrow');
	const wasmTable = pw.readParquet(bytes);
	const table = tableFromIPC(wasmTable.intoIPCStream());
	const vectors = cols.map(c => {
		const v = table.getChild(c.name);
		if (!v) throw new Error(`arrow: no column "${c.name}"`);
		return v;
	});
	const rows = [];
	for (let r = 0; r < table.numRows; r++) rows.push(new Array(cols.length));
	vectors.forEach((vec, ci) => {
		let r = 0;
		for (const data of vec.data)
			for (let i = 0; i < data.length; i++) rows[r++][ci] = fromArrow(cols[ci].desc, data, i);
	});
	return rows;
}

// hyparquet: leaf annotations are removed from the metadata before reading, so hyparquet hands
// back physical values (no lossy DECIMAL -> double, no Date objects) that we convert ourselves.
function fromHyparquet(desc, v) {
	if (v === null || v === undefined) return null;
	if (desc.kind === 'list') return v.map(x => fromHyparquet(desc.child, x));
	if (desc.kind === 'struct') return new Map(desc.fields.map(([n, d]) => [n, fromHyparquet(d, v[n])]));
	if (desc.kind === 'map') // hyparquet builds a JS object, so keys arrive as strings
		return Object.entries(v).map(([k, x]) => [fromHyparquet(desc.key, mapKey(desc.key, k)), fromHyparquet(desc.value, x)]);
	const { t, phys } = desc;
	if (phys === 'INT96') return { ticks: v.int96ns, unit: 'ns' };
	switch (t) {
	case 'int': {
		let b = BigInt(v);
		if (!desc.signed && b < 0n) b += 1n << BigInt(phys === 'INT32' ? 32 : 64);
		return b;
	}
	case 'decimal': return v instanceof Uint8Array ? twosComplementBE(v) : BigInt(v);
	case 'f16': return halfBitsToNumber(v[0] | (v[1] << 8));
	case 'date': return BigInt(v);
	case 'time': case 'ts': return { ticks: BigInt(v), unit: desc.unit };
	}
	return v;
}
function mapKey(desc, k) {
	if (desc.kind !== 'leaf') return k;
	switch (desc.phys) {
	case 'BYTE_ARRAY': case 'FIXED_LEN_BYTE_ARRAY': return new Uint8Array(k === '' ? [] : k.split(',').map(Number));
	case 'INT64': return BigInt(k);
	case 'INT32': case 'FLOAT': case 'DOUBLE': return Number(k);
	case 'BOOLEAN': return k === 'true';
	}
	return k;
}

async function readHyparquet(file, cols, bytes, schema) {
	const metadata = parquetMetadata(bytes, { geoparquet: false });
	for (const el of metadata.schema) {
		if (el.num_children) continue;
		el.converted_type = undefined;
		el.logical_type = undefined;
	}
	const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
	const rows = await parquetReadObjects({
		file: ab, metadata, compressors, utf8: false, geoparquet: false,
		columns: cols.map(c => c.name),
		parsers: { timestampFromNanoseconds: n => ({ int96ns: n }) },
	});
	return rows.map(row => cols.map(c => fromHyparquet(c.desc, row[c.name])));
}

// ---------------------------------------------------------------------------------------------

export async function readRows(reader, file, columnNames) {
	const bytes = new Uint8Array(readFileSync(file));
	const schema = fileSchema(bytes);
	let cols = schema.columns;
	if (columnNames) {
		cols = columnNames.map(n => {
			const c = schema.columns.find(x => x.name === n);
			if (!c) throw new Error(`${file}: no column "${n}"`);
			return c;
		});
	}
	const read = { duckdb: readDuckdb, arrow: readArrow, hyparquet: readHyparquet }[reader];
	if (!read) throw new Error(`unknown reader "${reader}" (expected ${READERS.join('|')}; ${PY_READERS.join('|')} only with --compare)`);
	const rows = await read(file, cols, bytes, schema);
	return rows.map((row, r) => {
		const out = new Map();
		cols.forEach((c, i) => out.set(c.name, render(c.desc, row[i], `row ${r}: ${c.name}`)));
		return out;
	});
}

// JSON parser that keeps numbers as text, so int64 and float32 digits compare exactly.
function parseJson(text) {
	let i = 0;
	const ws = () => { while (i < text.length && ' \t\r\n'.includes(text[i])) i++; };
	const fail = msg => { throw new Error(`json: offset ${i}: ${msg}`); };
	function value() {
		ws();
		const c = text[i];
		if (c === '{') {
			i++; const m = new Map(); ws();
			if (text[i] === '}') { i++; return m; }
			for (;;) {
				ws(); if (text[i] !== '"') fail('expected a key');
				const k = str(); ws(); if (text[i++] !== ':') fail('expected ":"');
				m.set(k, value()); ws();
				if (text[i] === ',') { i++; continue; }
				if (text[i] === '}') { i++; return m; }
				fail('expected "," or "}"');
			}
		}
		if (c === '[') {
			i++; const a = []; ws();
			if (text[i] === ']') { i++; return a; }
			for (;;) {
				a.push(value()); ws();
				if (text[i] === ',') { i++; continue; }
				if (text[i] === ']') { i++; return a; }
				fail('expected "," or "]"');
			}
		}
		if (c === '"') return str();
		for (const [lit, v] of [['true', true], ['false', false], ['null', null]])
			if (text.startsWith(lit, i)) { i += lit.length; return v; }
		const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
		if (!m) fail('unexpected character');
		i += m[0].length;
		return new Num(canonNumber(m[0]));
	}
	function str() {
		const start = i; i++;
		while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
		if (i >= text.length) fail('unterminated string');
		i++;
		return JSON.parse(text.slice(start, i));
	}
	const v = value(); ws();
	if (i !== text.length) fail('trailing characters');
	return v;
}

// Integers compare as exact integers; anything with a fraction or exponent compares as the
// text Number#toString gives it (so 1.0 == 1, 1e21 == 1e+21, and float32 digits stay as written).
function canonNumber(t) {
	if (/^-?\d+$/.test(t)) return t === '-0' ? '-0' : BigInt(t).toString();
	const n = Number(t);
	return Object.is(n, -0) ? '-0' : String(n);
}

function diff(exp, got, path) {
	const kind = v => v === null ? 'null' : v instanceof Num ? 'number' : Array.isArray(v) ? 'array' : v instanceof Map ? 'object' : typeof v;
	if (kind(exp) !== kind(got)) return path;
	if (exp instanceof Num) return exp.text === got.text ? null : path;
	if (Array.isArray(exp)) {
		if (exp.length !== got.length) return `${path} (length ${exp.length} vs ${got.length})`;
		for (let k = 0; k < exp.length; k++) { const d = diff(exp[k], got[k], `${path}[${k}]`); if (d) return d; }
		return null;
	}
	if (exp instanceof Map) {
		const ek = [...exp.keys()], gk = [...got.keys()];
		if (ek.join('\0') !== gk.join('\0')) return `${path} (keys ${JSON.stringify(ek)} vs ${JSON.stringify(gk)})`;
		for (const k of ek) { const d = diff(exp.get(k), got.get(k), `${path}.${k}`); if (d) return d; }
		return null;
	}
	return exp === got ? null : path;
}

// Rows from tests/python/judge.py, already canonical text.
function pythonRows(reader, file, columnNames) {
	const python = process.env.HFDS_PYTHON || join(HERE, '../python/.venv/bin/python');
	const args = [join(HERE, '../python/judge.py'), '--reader', reader, ...(columnNames ? ['--columns', columnNames.join(',')] : []), file];
	const r = spawnSync(python, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
	if (r.error) throw new Error(`${python}: ${r.error.message}`);
	if (r.status !== 0) throw new Error((r.stderr || '').trim().split('\n').slice(-3).join(' | ') || `exit ${r.status}`);
	return r.stdout.split('\n').filter(l => l).map(parseJson);
}

async function compare(expectedFile, file, readers, columnNames) {
	const expected = readFileSync(expectedFile, 'utf8').split('\n').filter(l => l.trim()).map(parseJson);
	let bad = 0;
	for (const reader of readers) {
		let rows;
		try {
			rows = PY_READERS.includes(reader) ? pythonRows(reader, file, columnNames)
				: (await readRows(reader, file, columnNames)).map(r => parseJson(toJson(r)));
		} catch (e) {
			console.error(`${reader}: ${file}: cannot read: ${e.message}`);
			bad++;
			continue;
		}
		if (rows.length !== expected.length) {
			console.error(`${reader}: ${file}: expected ${expected.length} rows, got ${rows.length}`);
			bad++;
			continue;
		}
		for (let r = 0; r < rows.length; r++) {
			const d = diff(expected[r], rows[r], '');
			if (d) {
				const col = d.replace(/^\./, '').split(/[.[ ]/)[0];
				console.error(`${reader}: ${file}: row ${r}, column ${col} (at ${d || 'row'}):\n  expected: ${toJson(expected[r].get?.(col) ?? expected[r])}\n  got:      ${toJson(rows[r].get?.(col) ?? rows[r])}`);
				bad++;
				break;
			}
		}
	}
	if (!bad) console.log(`${file}: ${expected.length} rows equal for ${readers.join(', ')}`);
	return bad ? 1 : 0;
}

// DuckDB table functions (parquet_schema, parquet_metadata, parquet_kv_metadata) as JSON.
function duckdbPlain(v) {
	if (v === null || v === undefined) return null;
	if (typeof v === 'bigint') return new Num(v.toString());
	if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return v;
	if (v.bytes instanceof Uint8Array) return utf8dec.decode(v.bytes);
	if (Array.isArray(v.items)) return v.items.map(duckdbPlain);
	if (v.entries && !Array.isArray(v.entries)) return new Map(Object.entries(v.entries).map(([k, x]) => [k, duckdbPlain(x)]));
	return String(v);
}

async function duckdbTable(fn, file) {
	const conn = await duckdbConn();
	const reader = await conn.runAndReadAll(`SELECT * FROM ${fn}(${sqlStr(file)})`);
	const names = reader.columnNames();
	return reader.getRows().map(row => new Map(row.map((v, i) => [names[i], duckdbPlain(v)])));
}

function usage() {
	console.error('usage: judge.mjs --reader duckdb|arrow|hyparquet [--columns a,b] FILE\n' +
		'       judge.mjs --schema FILE | --kv FILE | --meta FILE\n' +
		'       judge.mjs --compare EXPECTED.jsonl FILE [--readers duckdb,arrow,hyparquet] [--columns a,b]');
	return 2;
}

function write(text) {
	return new Promise(resolve => process.stdout.write(text, resolve));
}

async function main(argv) {
	const opt = {};
	const pos = [];
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (['--reader', '--columns', '--readers', '--compare'].includes(a)) {
			if (i + 1 >= argv.length) return usage();
			opt[a.slice(2)] = argv[++i];
		} else if (['--schema', '--kv', '--meta'].includes(a)) opt.mode = a.slice(2);
		else if (a.startsWith('--')) return usage();
		else pos.push(a);
	}
	if (pos.length !== 1) return usage();
	const file = pos[0];
	const columns = opt.columns ? opt.columns.split(',') : null;
	if (opt.compare) {
		const readers = opt.readers ? opt.readers.split(',') : READERS;
		return compare(opt.compare, file, readers, columns);
	}
	if (opt.mode === 'kv') {
		const rows = await duckdbTable('parquet_kv_metadata', file);
		const obj = new Map(rows.map(r => [r.get('key'), r.get('value')]));
		await write(toJson(obj) + '\n');
		return 0;
	}
	if (opt.mode === 'schema' || opt.mode === 'meta') {
		const rows = await duckdbTable(opt.mode === 'schema' ? 'parquet_schema' : 'parquet_metadata', file);
		await write(rows.map(r => toJson(r) + '\n').join(''));
		return 0;
	}
	if (!opt.reader) return usage();
	const rows = await readRows(opt.reader, file, columns);
	const CHUNK = 4096;
	for (let r = 0; r < rows.length; r += CHUNK)
		await write(rows.slice(r, r + CHUNK).map(row => toJson(row) + '\n').join(''));
	return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
	main(process.argv.slice(2)).then(code => { process.exitCode = code; }, e => {
		console.error(e?.message || String(e));
		process.exitCode = 1;
	});
}
