// Differential replay: every game in the given PGN files is replayed by hfds (`hfds chess
// replay`) and by chess.js; the board, side-to-move and castling fields of the FEN and the 69
// chesspos tokens (computed here from chess.js's FEN) must agree at every ply.
//
// usage: node chess_js_replay.mjs HFDS_BIN CHESSJS_DIR PGN_FILE_OR_DIR...
//
// Games are split with the same boundary rules hfds documents (blank line after movetext,
// a tag line after movetext, tags and moves on one line, a repeated tag after a blank line).
// Games chess.js rejects must be reported (bad move) or skipped (variant/set-up) by hfds,
// or appear in EXPLAINED below with the reason.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, basename } from 'node:path';
import { pathToFileURL } from 'node:url';

const [hfds, chessDir, ...inputs] = process.argv.slice(2);
const { Chess } = await import(pathToFileURL(join(chessDir, 'dist/esm/chess.js')).href);

// Known, reasoned differences: file -> { game index: reason }.
const EXPLAINED = {
	'python-chess__anastasian-lewis.pgn': { 0: 'chess.js does not know the Z0 null move (python-chess and hfds play it)' },
};

// chess.js 1.4's grammar rejects some legal PGN annotation layouts (a comment before a NAG or
// a variation, two comments in a row, nested comments). Such games are retried with the
// comments, NAGs and variations removed, so their moves are still compared.
function stripAnnotations(text) {
	const lines = text.split('\n');
	const head = lines.filter((l) => l.startsWith('[')).join('\n');
	let body = lines.filter((l) => !l.startsWith('[')).join('\n'), out = '', brace = 0, paren = 0;
	for (const ch of body) {
		if (brace) { if (ch === '{') brace++; else if (ch === '}') brace--; continue; }
		if (ch === '{') { brace = 1; out += ' '; continue; }
		if (paren) { if (ch === '(') paren++; else if (ch === ')') paren--; continue; }
		if (ch === '(') { paren = 1; out += ' '; continue; }
		out += ch;
	}
	return head + '\n\n' + out.replace(/\$\d+/g, ' ').replace(/;[^\n]*/g, ' ');
}

function files(p) {
	const st = statSync(p);
	if (!st.isDirectory()) return [p];
	return readdirSync(p).sort().flatMap((n) => files(join(p, n))).filter((f) => f.endsWith('.pgn'));
}

// Split a PGN text into game texts (headers + movetext) with hfds's boundary rules.
function splitGames(text) {
	const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
	const games = [];
	let cur = null, keys = null, inMoves = false, anyTok = false, depth = 0, blank = false;
	const flush = () => { if (cur) games.push(cur.join('\n')); cur = null; };
	for (const line of lines) {
		if (depth === 0) {
			if (/^\s*$/.test(line)) {
				if (inMoves && anyTok) { flush(); inMoves = false; }
				blank = true;
				continue;
			}
			if (line.startsWith('%') || (!inMoves && line.startsWith(';'))) continue;
			if (line.startsWith('[')) {
				const m = /^\[\s*(\S+)\s+"/.exec(line);
				const key = m ? m[1] : null;
				if (inMoves || !cur || (blank && key && keys.has(key))) { flush(); cur = []; keys = new Set(); inMoves = false; anyTok = false; }
				if (key) keys.add(key);
				const after = line.replace(/^(\s*\[[^\]]*"\s*\]\s*)+/, '');
				if (after.trim()) {
					cur.push(line.slice(0, line.length - after.length).trim(), '', after);
					inMoves = true; anyTok = true;
				} else {
					cur.push(line);
				}
				blank = false;
				continue;
			}
			if (!cur) { cur = []; keys = new Set(); }
			if (!inMoves) { cur.push(''); inMoves = true; }
		}
		cur.push(line);
		for (const ch of line.replace(/;.*$/, depth === 0 ? '' : '$&')) {
			if (ch === '{') depth++;
			else if (ch === '}' && depth > 0) depth--;
		}
		if (depth === 0 && line.replace(/\{[^}]*\}/g, '').trim()) anyTok = true;
		blank = false;
	}
	flush();
	return games;
}

function tokens(fen) {
	const [board, side, castling] = fen.split(' ');
	const sq = new Array(64).fill(15);
	const code = { P: 17, N: 18, B: 19, R: 20, Q: 21, K: 22, p: 23, n: 24, b: 25, r: 26, q: 27, k: 28 };
	board.split('/').forEach((row, i) => {
		let f = 0;
		for (const c of row) {
			if (c >= '1' && c <= '8') f += Number(c);
			else sq[(7 - i) * 8 + f++] = code[c];
		}
	});
	const has = (c) => (castling.includes(c) ? 32 : 31);
	return [...sq, side === 'w' ? 29 : 30, has('K'), has('Q'), has('k'), has('q')].join(',');
}

function parseReplay(out) {
	const byGame = new Map();
	for (const line of out.split('\n')) {
		if (!line) continue;
		const [g, ply, value] = line.split('\t');
		if (!byGame.has(+g)) byGame.set(+g, []);
		byGame.get(+g)[+ply] = value;
	}
	return byGame;
}

function run(args) {
	const r = spawnSync(hfds, args, { encoding: 'utf8', maxBuffer: 1 << 29 });
	return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let stripped = 0, compared = 0, positions = 0, failures = 0, explained = 0, rejectedAgreed = 0, skipped = 0;
const fail = (msg) => { failures++; if (failures <= 20) console.error('MISMATCH ' + msg); };

for (const file of inputs.flatMap(files)) {
	const name = basename(file);
	const games = splitGames(readFileSync(file, 'utf8'));
	const fenRun = run(['chess', 'replay', file, '--format', 'fen']);
	if (fenRun.status !== 0) { fail(`${name}: hfds exit ${fenRun.status}: ${fenRun.stderr}`); continue; }
	const fens = parseReplay(fenRun.stdout);
	const toks = parseReplay(run(['chess', 'replay', file, '--format', 'tokens']).stdout);
	const problems = new Set(), skips = new Set();
	for (const line of fenRun.stderr.split('\n')) {
		const s = /: game (\d+) skipped/.exec(line);
		if (s) skips.add(+s[1]);
	}
	// hfds names problems by file:line; map them to games through the positions it printed
	const problemCount = fenRun.stderr.split('\n').filter((l) => / (illegal|invalid|ambiguous|missing|line longer|game longer)/.test(l)).length;
	let gamesWithProblems = 0;
	games.forEach((text, gi) => {
		if (skips.has(gi)) { skipped++; return; }
		const hf = fens.get(gi), ht = toks.get(gi);
		if (!hf) { fail(`${name} game ${gi}: hfds printed no positions`); return; }
		const c = new Chess();
		let moves;
		try {
			try {
				c.loadPgn(text, { strict: false });
			} catch (e) {
				if (!/^Expected /.test(e.message) || /but "\d" found/.test(e.message)) throw e;
				c.loadPgn(stripAnnotations(text), { strict: false });
				stripped++;
			}
			moves = c.history({ verbose: true });
		} catch (e) {
			const why = EXPLAINED[name] && EXPLAINED[name][gi];
			if (why) { explained++; return; }
			if (process.env.CHESS_JS_VERBOSE) console.error(`${name} game ${gi}: chess.js: ${e.message}`);
			// chess.js rejected the game: hfds must have reported a bad move for it, which shows as
			// fewer hfds positions than the movetext's moves; count and check the totals below
			gamesWithProblems++;
			rejectedAgreed++;
			problems.add(gi);
			return;
		}
		const jsFens = moves.length ? [moves[0].before, ...moves.map((m) => m.after)] : [c.fen()];
		if (jsFens.length !== hf.length) {
			const why = EXPLAINED[name] && EXPLAINED[name][gi];
			if (why) { explained++; return; }
			fail(`${name} game ${gi}: chess.js ${jsFens.length} positions, hfds ${hf.length}`);
			return;
		}
		for (let k = 0; k < jsFens.length; k++) {
			const a = jsFens[k].split(' ').slice(0, 3).join(' ');
			const b = hf[k].split(' ').slice(0, 3).join(' ');
			if (a !== b) { fail(`${name} game ${gi} ply ${k}: chess.js '${a}' hfds '${b}'`); return; }
			if (tokens(jsFens[k]) !== ht[k]) { fail(`${name} game ${gi} ply ${k}: tokens differ`); return; }
			positions++;
		}
		compared++;
	});
	if (gamesWithProblems !== problemCount)
		fail(`${name}: chess.js rejected ${gamesWithProblems} game(s) [${[...problems]}], hfds reported ${problemCount} bad game(s)`);
	if (games.length !== fens.size + skips.size)
		fail(`${name}: split ${games.length} games, hfds ${fens.size} replayed + ${skips.size} skipped`);
}

console.log(`chess.js differential: ${compared} games, ${positions} positions agree; ${rejectedAgreed} rejected by both; ` +
	`${skipped} skipped by hfds (variant/set-up, not compared); ${explained} explained differences; ${stripped} compared after stripping annotations chess.js cannot parse; ${failures} mismatches`);
process.exit(failures ? 1 : 0);
