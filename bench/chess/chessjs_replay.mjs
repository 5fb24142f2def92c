// chess.js replay speed: parse + legal replay of every game of a PGN file, `reps` times.
// usage: node chessjs_replay.mjs CHESSJS_DIR FILE.pgn [reps]   -> prints "games seconds"
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dir, file, repsArg] = process.argv.slice(2);
const { Chess } = await import(pathToFileURL(join(dir, 'dist/esm/chess.js')).href);
const games = readFileSync(file, 'utf8').split(/\n\n(?=\[Event )/);
const reps = Number(repsArg || 3);
let n = 0, plies = 0;
const t0 = process.hrtime.bigint();
for (let r = 0; r < reps; r++) {
	for (const g of games) {
		const c = new Chess();
		try {
			c.loadPgn(g, { strict: false });
			plies += c.history().length;
			n++;
		} catch (e) { /* counted as not replayed */ }
	}
}
const s = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(`${n} ${s.toFixed(3)} ${plies}`);
