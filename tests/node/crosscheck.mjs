#!/usr/bin/env node
// Runs the three judges on Parquet files and reports, per file, which readers fail and where
// they disagree with DuckDB (or with the first reader that succeeds). Used to keep README.md's
// reader-quirk list current:  node crosscheck.mjs FILE...
import { readRows, toJson } from './judge.mjs';

const READERS = ['duckdb', 'arrow', 'hyparquet'];
let disagreements = 0;
for (const file of process.argv.slice(2)) {
	const out = {};
	for (const r of READERS) {
		try {
			out[r] = (await readRows(r, file, null)).map(toJson);
		} catch (e) {
			out[r] = new Error(String(e?.message || e).split('\n')[0].slice(0, 160));
		}
	}
	const ok = READERS.filter(r => !(out[r] instanceof Error));
	const ref = ok[0];
	const notes = [];
	for (const r of READERS) {
		if (out[r] instanceof Error) { notes.push(`${r} ERR: ${out[r].message}`); continue; }
		if (r === ref) continue;
		const a = out[ref], b = out[r];
		if (a.length !== b.length) { notes.push(`${r} rows ${b.length} vs ${ref} ${a.length}`); continue; }
		const k = a.findIndex((line, i) => line !== b[i]);
		if (k >= 0) notes.push(`${r} differs from ${ref} at row ${k}:\n      ${ref}: ${a[k].slice(0, 200)}\n      ${r}: ${b[k].slice(0, 200)}`);
	}
	if (notes.length) disagreements++;
	console.log(`${file.split('/').pop()}: ${notes.length ? notes.join('\n    ') : `ok (${out[ref].length} rows)`}`);
}
process.exitCode = disagreements ? 1 : 0;
