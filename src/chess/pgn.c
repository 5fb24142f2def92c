/*
 * Streaming PGN reader.
 *
 * Input is consumed line by line from a fixed buffer (lines longer than the buffer are
 * handed over in chunks and truncate their game), so memory stays bounded whatever the
 * input. Game boundaries follow python-chess: a game ends at a blank line outside a comment
 * or at end of input; in addition a tag line (`[` in column 1) outside a comment starts a
 * new game, blank lines between tags are tolerated (a repeated tag key after a blank line
 * starts a new game), and text after a tag on the same line is movetext (one-line games).
 * Movetext tokens are scanned with plain pointer loops; comments nest, variations are
 * skipped (nested), `;` comments run to the end of the line and `%` lines are escapes.
 * Unlike python-chess, whose tokenizer silently drops text it cannot match (`Nf9`), every
 * token that is not a move number, result, NAG or glyph must resolve to a legal move, or
 * the game is truncated there and the problem recorded.
 */
#include "hfds/chess.h"
#include "chess/chess_int.h"
#include "util/alloc.h"
#include "util/try.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define PGN_BUF (1u << 20)      /* also the longest line handled in one piece */
#define PGN_MAX_TAGS 256
#define PGN_MAX_TAG_BYTES (64u << 10)
#define PGN_MAX_PLIES 8192

enum { ST_START, ST_MOVETEXT_PENDING, ST_DONE };

struct hfds_pgn_reader {
	char *name;
	hfds_pgn_read_fn fn;
	void *ctx;
	char *buf;
	size_t pos, len;
	int eof;
	int bom_checked;
	/* the current line, when have_line: [ls, le), partial = no newline (chunk of a long line) */
	int have_line;
	const char *ls, *le;
	int partial, in_long_line;
	uint64_t line;        /* number of the current line */
	uint64_t next_line;   /* number the next line read will get */
	uint64_t bytes;
	uint64_t ngames;
	int state;
	const char *rest;     /* movetext after a tag on the current line, or NULL */
	hfds_pgn_game game;
	hfds_pgn_tag tags[PGN_MAX_TAGS];
	size_t keylen[PGN_MAX_TAGS];
	char tagbytes[PGN_MAX_TAG_BYTES];
	size_t tagused;
	hfds_chess_move *moves;
};

int hfds_pgn_reader_new(hfds_pgn_reader **out, const char *name, hfds_pgn_read_fn fn, void *ctx,
	hfds_error *err)
{
	hfds_pgn_reader *r = hfds_calloc(1, sizeof(*r));
	*out = NULL;
	if (!r)
		return hfds_error_set(err, HFDS_ENOMEM, "pgn reader: out of memory");
	r->name = hfds_strdup(name ? name : "pgn");
	r->buf = hfds_malloc(PGN_BUF);
	r->moves = hfds_malloc(PGN_MAX_PLIES * sizeof(hfds_chess_move));
	if (!r->name || !r->buf || !r->moves) {
		hfds_pgn_reader_free(r);
		return hfds_error_set(err, HFDS_ENOMEM, "pgn reader: out of memory");
	}
	r->fn = fn;
	r->ctx = ctx;
	r->next_line = 1;
	*out = r;
	return 0;
}

void hfds_pgn_reader_free(hfds_pgn_reader *r)
{
	if (!r)
		return;
	hfds_free(r->name);
	hfds_free(r->buf);
	hfds_free(r->moves);
	hfds_free(r);
}

/* Makes the next line current. Returns 1, 0 at end of input, < 0 on read error. */
static int load_line(hfds_pgn_reader *r, hfds_error *err)
{
	char *nl;
	if (r->have_line)
		return 1;
	for (;;) {
		nl = r->len > r->pos ? memchr(r->buf + r->pos, '\n', r->len - r->pos) : NULL;
		if (nl || r->eof || (r->pos == 0 && r->len == PGN_BUF))
			break;
		if (r->pos) {
			memmove(r->buf, r->buf + r->pos, r->len - r->pos);
			r->len -= r->pos;
			r->pos = 0;
		}
		{
			ptrdiff_t got = r->fn(r->ctx, r->buf + r->len, PGN_BUF - r->len, err);
			if (got < 0)
				return (int)got;
			if (got == 0)
				r->eof = 1;
			r->len += (size_t)got;
			r->bytes += (size_t)got;
		}
	}
	if (!nl && r->pos == r->len)
		return 0;
	r->ls = r->buf + r->pos;
	r->le = nl ? nl : r->buf + r->len;
	r->pos = (size_t)(r->le - r->buf) + (nl ? 1 : 0);
	/* a chunk of an over-long line keeps the line number of its first chunk */
	if (!r->in_long_line)
		r->line = r->next_line;
	r->partial = !nl && !r->eof;
	r->in_long_line = r->partial;
	if (!r->in_long_line)
		r->next_line = r->line + 1;
	if (r->le > r->ls && r->le[-1] == '\r')
		r->le--;
	if (!r->bom_checked) {
		r->bom_checked = 1;
		if (r->le - r->ls >= 3 && !memcmp(r->ls, "\xEF\xBB\xBF", 3))
			r->ls += 3;
	}
	r->have_line = 1;
	r->rest = NULL;
	return 1;
}

static void consume_line(hfds_pgn_reader *r)
{
	r->have_line = 0;
	r->rest = NULL;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static int is_blank(const char *s, const char *e)
{
	for (; s < e; s++)
		if (!is_space(*s))
			return 0;
	return 1;
}

static const char *skip_ws(const char *s, const char *e)
{
	while (s < e && is_space(*s))
		s++;
	return s;
}

/* Stores a string in the per-game tag arena; NULL when full. */
static const char *tag_store(hfds_pgn_reader *r, const char *s, size_t n, int unescape)
{
	char *d;
	size_t i, k = 0;
	if (n + 1 > PGN_MAX_TAG_BYTES - r->tagused)
		return NULL;
	d = r->tagbytes + r->tagused;
	for (i = 0; i < n; i++) {
		if (unescape && s[i] == '\\' && i + 1 < n)
			i++;
		d[k++] = s[i];
	}
	d[k++] = 0;
	r->tagused += k;
	return d;
}

/*
 * Parses `[Key "value"]` at p. Returns a pointer after `]`, or NULL if malformed.
 * Sets *dup when the key is already present.
 */
static const char *parse_tag(hfds_pgn_reader *r, const char *p, const char *e, int *dup, int *stored)
{
	const char *k, *ke, *v;
	size_t i;
	int esc = 0;
	*dup = 0;
	*stored = 0;
	p = skip_ws(p + 1, e);
	k = p;
	while (p < e && !is_space(*p) && *p != '"' && *p != ']')
		p++;
	ke = p;
	p = skip_ws(p, e);
	if (ke == k || p >= e || *p != '"')
		return NULL;
	v = ++p;
	for (; p < e && *p != '"'; p++) {
		if (*p == '\\' && p + 1 < e) {
			p++;
			esc = 1;
		}
	}
	if (p >= e)
		return NULL;
	{
		const char *ve = p;
		p = skip_ws(p + 1, e);
		if (p >= e || *p != ']')
			return NULL;
		p++;
		for (i = 0; i < r->game.ntags; i++)
			if (r->keylen[i] == (size_t)(ke - k) && !memcmp(r->tags[i].key, k, (size_t)(ke - k)))
				*dup = 1;
		if (!*dup && r->game.ntags < PGN_MAX_TAGS) {
			size_t mark = r->tagused;
			const char *ks = tag_store(r, k, (size_t)(ke - k), 0);
			const char *vs = ks ? tag_store(r, v, (size_t)(ve - v), esc) : NULL;
			if (ks && vs) {
				r->tags[r->game.ntags].key = ks;
				r->tags[r->game.ntags].value = vs;
				r->keylen[r->game.ntags] = (size_t)(ke - k);
				r->game.ntags++;
				*stored = 1;
			} else {
				r->tagused = mark;
			}
		}
	}
	return p;
}

const char *hfds_pgn_tag_get(const hfds_pgn_game *g, const char *key)
{
	size_t i;
	for (i = 0; i < g->ntags; i++)
		if (!strcmp(g->tags[i].key, key))
			return g->tags[i].value;
	return NULL;
}

static int classify(const hfds_pgn_game *g)
{
	static const char *standard[] = {"standard", "chess", "classical", "normal", "illegal", "from position"};
	const char *v = NULL, *fen = NULL, *setup = NULL;
	size_t i;
	/* one pass over the tags, comparing names only where the first letter matches */
	for (i = 0; i < g->ntags; i++) {
		const char *k = g->tags[i].key;
		if (k[0] == 'V' && !strcmp(k, "Variant") && !v)
			v = g->tags[i].value;
		else if (k[0] == 'F' && !strcmp(k, "FEN") && !fen)
			fen = g->tags[i].value;
		else if (k[0] == 'S' && !strcmp(k, "SetUp") && !setup)
			setup = g->tags[i].value;
	}
	if (v && *v) {
		for (i = 0; i < sizeof(standard) / sizeof(standard[0]); i++)
			if (!strcasecmp(v, standard[i]))
				break;
		if (i == sizeof(standard) / sizeof(standard[0]))
			return HFDS_PGN_SKIP_VARIANT;
	}
	/* A FEN equal to the start position (first four fields) is a normal game. */
	if (fen && strncmp(fen, "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq -", 52) != 0)
		return HFDS_PGN_SKIP_SETUP;
	if (!fen && setup && !strcmp(setup, "1"))
		return HFDS_PGN_SKIP_SETUP;
	return HFDS_PGN_PLAYABLE;
}

/* ------------------------------------------------------------------ movetext */

typedef struct mt_state {
	int comment;      /* brace nesting depth */
	int var;          /* variation nesting depth */
	int dead;         /* a bad move: ignore further moves */
	int result;       /* a top-level result token was seen */
	int any;          /* any token seen */
	int skip;         /* headers-only mode: do not resolve moves */
	hfds_chess_board board;
} mt_state;

/* Token delimiters: whitespace and { } ( ) ; */
static const uint8_t delim_tab[256] = {
	[' '] = 1, ['\t'] = 1, ['\r'] = 1, ['\v'] = 1, ['\f'] = 1, ['\n'] = 1,
	['{'] = 1, ['}'] = 1, ['('] = 1, [')'] = 1, [';'] = 1,
};

static void problem(hfds_pgn_reader *r, mt_state *st, int col, const char *msg)
{
	hfds_pgn_game *g = &r->game;
	if (!g->has_problem) {
		snprintf(g->problem, sizeof(g->problem), "%.200s:%llu:%d: %.240s", r->name, (unsigned long long)r->line, col, msg);
		g->has_problem = 1;
	}
	st->dead = 1;
}

static void set_result(hfds_pgn_reader *r, mt_state *st, const char *res)
{
	if (!st->result)
		r->game.result = res;
	st->result = 1;
}

static void move_token(hfds_pgn_reader *r, mt_state *st, const char *t, size_t n, int col)
{
	hfds_chess_move m;
	hfds_error e;
	size_t i;
	if (n == 1 && t[0] == '*') {
		set_result(r, st, "*");
		return;
	}
	if (t[0] >= '0' && t[0] <= '9') {
		if (n == 3 && !memcmp(t, "1-0", 3)) {
			set_result(r, st, "1-0");
			return;
		}
		if (n == 3 && !memcmp(t, "0-1", 3)) {
			set_result(r, st, "0-1");
			return;
		}
		if (n == 7 && !memcmp(t, "1/2-1/2", 7)) {
			set_result(r, st, "1/2-1/2");
			return;
		}
		if (!(n >= 3 && t[0] == '0' && t[1] == '-') && !(n == 4 && !memcmp(t, "0000", 4))) {
			/* move number: digits, then dots, then maybe a glued move ("1.e4");
			 * anything else after the digits goes on to SAN resolution and fails there */
			for (i = 0; i < n && t[i] >= '0' && t[i] <= '9'; i++)
				;
			if (i == n)
				return;
			if (t[i] == '.') {
				while (i < n && t[i] == '.')
					i++;
				if (i == n)
					return;
				t += i;
				n -= i;
				col += (int)i;
			}
		}
	}
	for (i = 0; i < n && (t[i] == '?' || t[i] == '!' || t[i] == '.'); i++)
		;
	if (i == n || st->skip || st->dead || st->result)
		return; /* a separate glyph or "...", or moves are not wanted */
	hfds_error_init(&e);
	if (hfds_chess_parse_move(&m, &st->board, t, n, &e) != 0) {
		problem(r, st, col, e.message);
		return;
	}
	if (r->game.nmoves >= PGN_MAX_PLIES) {
		problem(r, st, col, "game longer than 8192 plies");
		return;
	}
	r->moves[r->game.nmoves++] = m;
	hfds_chess_board_push(&st->board, m);
}

/* Scans one line (or chunk) of movetext. */
static void scan(hfds_pgn_reader *r, mt_state *st, const char *s, const char *e)
{
	const char *p = s;
	while (p < e) {
		char c = *p;
		if (st->comment) {
			/* usually short and unnested: find the close, then look for an opener before it */
			const char *close = memchr(p, '}', (size_t)(e - p));
			const char *open = memchr(p, '{', (size_t)((close ? close : e) - p));
			if (open) {
				st->comment++;
				p = open + 1;
			} else if (!close) {
				p = e;
			} else {
				p = close + 1;
				st->comment--;
			}
			continue;
		}
		switch (c) {
		case ' ': case '\t': case '\r': case '\v': case '\f': case '}':
			p++;
			break;
		case '{':
			st->comment = 1;
			p++;
			break;
		case ';':
			return;
		case '(':
			st->var++;
			st->any = 1;
			p++;
			break;
		case ')':
			if (st->var)
				st->var--;
			st->any = 1;
			p++;
			break;
		case '$':
			st->any = 1;
			for (p++; p < e && *p >= '0' && *p <= '9'; p++)
				;
			break;
		default: {
			const char *t = p;
			while (p < e && !delim_tab[(uint8_t)*p])
				p++;
			st->any = 1;
			if (!st->var)
				move_token(r, st, t, (size_t)(p - t), (int)(t - r->ls) + 1);
			break;
		}
		}
	}
}

/*
 * The skip path (tags-only reads): only what decides where the game ends is tracked, the
 * comment depth and whether anything but comments was seen; `scan` keeps the same two.
 */
static void scan_skip(mt_state *st, const char *p, const char *e)
{
	while (p < e) {
		if (st->comment) {
			const char *close = memchr(p, '}', (size_t)(e - p));
			const char *open = memchr(p, '{', (size_t)((close ? close : e) - p));
			if (open) {
				st->comment++;
				p = open + 1;
			} else if (!close) {
				p = e;
			} else {
				p = close + 1;
				st->comment--;
			}
			continue;
		}
		if (st->any) {
			/* only a comment start or a ';' can still change anything */
			const char *semi = memchr(p, ';', (size_t)(e - p));
			const char *open = memchr(p, '{', (size_t)((semi ? semi : e) - p));
			if (open) {
				st->comment = 1;
				p = open + 1;
				continue;
			}
			return;
		}
		if (*p == '{')
			st->comment = 1;
		else if (*p == ';')
			return;
		else if (!delim_tab[(uint8_t)*p] || *p == '(' || *p == ')')
			st->any = 1;
		p++;
	}
}

/*
 * Runs the movetext state machine until the game ends. Leaves the line that starts the
 * next game (a tag line) current.
 */
static int run_movetext(hfds_pgn_reader *r, mt_state *st, hfds_error *err)
{
	int rc;
	if (r->rest) {
		if (st->skip)
			scan_skip(st, r->rest, r->le);
		else
			scan(r, st, r->rest, r->le);
		consume_line(r);
	}
	for (;;) {
		rc = load_line(r, err);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			if (!st->result && (st->any || r->game.nmoves))
				r->game.truncated = 1;
			return 0;
		}
		if (!st->comment) {
			/* a blank line ends the game, unless only comments came so far (a game
			 * comment before the moves, as pgn-extract writes it) */
			if (is_blank(r->ls, r->le) && !r->partial) {
				consume_line(r);
				if (st->any)
					return 0;
				continue;
			}
			if (r->ls < r->le && r->ls[0] == '[')
				return 0;
			if (r->ls < r->le && r->ls[0] == '%') {
				consume_line(r);
				continue;
			}
		}
		/* chunk boundaries may split tokens: a long line ends the game's moves (dead), and
		 * its chunks are scanned for structure only */
		if (r->partial && !st->skip && !st->dead)
			problem(r, st, 1, "line longer than 1 MiB");
		if (st->skip)
			scan_skip(st, r->ls, r->le);
		else
			scan(r, st, r->ls, r->le);
		consume_line(r);
	}
}

int hfds_pgn_next(hfds_pgn_reader *r, hfds_pgn_game **out, hfds_error *err)
{
	hfds_pgn_game *g = &r->game;
	int rc, blank = 0, started = 0;
	*out = NULL;
	if (r->state == ST_MOVETEXT_PENDING) {
		mt_state st;
		memset(&st, 0, sizeof(st));
		st.skip = 1;
		r->state = ST_START;
		if ((rc = run_movetext(r, &st, err)) < 0)
			return rc;
	}
	if (r->state == ST_DONE)
		return HFDS_ITEROVER;
	memset(g, 0, sizeof(*g));
	g->tags = r->tags;
	r->tagused = 0;
	for (;;) {
		rc = load_line(r, err);
		if (rc < 0)
			return rc;
		if (rc == 0)
			break;
		if (r->ls < r->le && (r->ls[0] == '%' || r->ls[0] == ';')) {
			consume_line(r);
			continue;
		}
		if (is_blank(r->ls, r->le)) {
			if (started)
				blank = 1;
			consume_line(r);
			continue;
		}
		if (r->ls[0] != '[') {
			if (!started)
				g->line = r->line;
			started = 1;
			break; /* movetext */
		}
		{
			const char *p = r->ls, *after;
			int dup, stored, split = 0;
			if (!started)
				g->line = r->line;
			while (p < r->le && *p == '[') {
				after = parse_tag(r, p, r->le, &dup, &stored);
				if (!after) {
					p = r->le; /* malformed tag line: ignored, as python-chess does */
					break;
				}
				if (dup && blank && p == r->ls && started) {
					split = 1;
					break;
				}
				started = 1;
				p = skip_ws(after, r->le);
			}
			if (split)
				break;
			started = 1;
			blank = 0;
			if (p < r->le) {
				r->rest = p;
				break;
			}
			consume_line(r);
		}
	}
	if (!started) {
		r->state = ST_DONE;
		return HFDS_ITEROVER;
	}
	g->index = r->ngames++;
	g->skip = classify(g);
	g->moves = r->moves;
	r->state = ST_MOVETEXT_PENDING;
	*out = g;
	return 0;
}

int hfds_pgn_read_moves(hfds_pgn_reader *r, hfds_pgn_game *g, hfds_error *err)
{
	mt_state st;
	int rc;
	if (r->state != ST_MOVETEXT_PENDING || g != &r->game)
		return hfds_error_set(err, HFDS_ESTATE, "pgn: read_moves without a pending game");
	memset(&st, 0, sizeof(st));
	st.skip = g->skip != HFDS_PGN_PLAYABLE;
	hfds_chess_board_init(&st.board);
	r->state = ST_START;
	g->moves_read = 1;
	rc = run_movetext(r, &st, err);
	g->moves = r->moves;
	return rc;
}

uint64_t hfds_pgn__bytes(const hfds_pgn_reader *r)
{
	return r->bytes;
}

uint64_t hfds_pgn__games(const hfds_pgn_reader *r)
{
	return r->ngames;
}
