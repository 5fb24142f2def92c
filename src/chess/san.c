/*
 * SAN/UCI resolution with python-chess's leniencies (Board.parse_san): castling with O or 0,
 * optional `=`, lower-case promotion letter, fully specified from-to moves (any piece, UCI),
 * optional check/mate suffix; plus glued annotation glyphs, which its tokenizer splits off.
 * Candidates come from the legal generator restricted to the from/to masks the SAN names,
 * so a token costs a handful of attack lookups, never a full move list.
 */
#include "chess/chess_int.h"

#include <string.h>

static int promo_type(char c)
{
	switch (c | 32) {
	case 'n': return HFDS_CHESS_KNIGHT;
	case 'b': return HFDS_CHESS_BISHOP;
	case 'r': return HFDS_CHESS_ROOK;
	case 'q': return HFDS_CHESS_QUEEN;
	case 'k': return HFDS_CHESS_KING;
	default: return 0;
	}
}

static int piece_letter(char c)
{
	switch (c) {
	case 'N': return HFDS_CHESS_KNIGHT;
	case 'B': return HFDS_CHESS_BISHOP;
	case 'R': return HFDS_CHESS_ROOK;
	case 'Q': return HFDS_CHESS_QUEEN;
	case 'K': return HFDS_CHESS_KING;
	case 'P': return HFDS_CHESS_PAWN;
	default: return -1;
	}
}

static int fail(hfds_error *err, const char *what, const char *tok, size_t len, const hfds_chess_board *b)
{
	char fen[128];
	if (!err)
		return HFDS_EPARSE;
	hfds_chess_board_fen(b, fen, sizeof(fen));
	return hfds_error_set(err, HFDS_EPARSE, "%s '%.*s' in %s", what, (int)(len > 32 ? 32 : len), tok, fen);
}

static int castle(hfds_chess_move *out, const hfds_chess_board *b, int kingside, const char *tok, size_t len,
	hfds_error *err)
{
	hfds_chess_move mv[HFDS_CHESS_MAX_MOVES];
	uint64_t k = b->by_type[HFDS_CHESS_KING] & b->by_color[b->turn];
	int i, n = hfds_chess__gen(b, k, ~0ULL, mv);
	for (i = 0; i < n; i++)
		if (HFDS_CHESS_MOVE_CASTLE(mv[i]) && (HFDS_CHESS_MOVE_TO(mv[i]) > HFDS_CHESS_MOVE_FROM(mv[i])) == kingside) {
			*out = mv[i];
			return 0;
		}
	return fail(err, "illegal san", tok, len, b);
}

/* Standard-chess king moves e1g1/e1c1 (and e1h1/e1a1) are castling. */
static int castle_target(const hfds_chess_board *b, int from, int to)
{
	int base = b->turn ? 56 : 0;
	if (b->chess960 || from != base + 4 || !(b->by_type[HFDS_CHESS_KING] & b->by_color[b->turn] & BB(from)))
		return -1;
	if (to == base + 6 || to == base + 7)
		return 1;
	if (to == base + 2 || to == base)
		return 0;
	return -1;
}

/* A non-castling, non-e.p. move from -> to leaves our king safe. */
static int safe(const hfds_chess_board *b, int from, int to)
{
	uint64_t k = b->by_type[HFDS_CHESS_KING] & b->by_color[b->turn];
	int ksq = (BB(from) & k) ? to : lsb(k);
	uint64_t occ2 = (occupied(b) ^ BB(from)) | BB(to);
	return (attackers(b, b->turn ^ 1, ksq, occ2) & ~BB(to)) == 0;
}

/*
 * The common SAN shapes without the generator: candidates by reverse attack lookups, then a
 * king-safety test per candidate. Returns the number of legal candidates (move in *out when
 * 1), or -1 when the shape needs the general path (e.p., unusual pawn forms).
 */
static int fast(hfds_chess_move *out, const hfds_chess_board *b, int piece, uint64_t from_mask, int ffile,
	int to, int promo)
{
	int us = b->turn, fwd = us ? -8 : 8, n = 0;
	uint64_t own = b->by_color[us], occ = own | b->by_color[us ^ 1], cand;
	int last = us ? (to < 8) : (to >= 56);
	if (own & BB(to))
		return 0;
	if (piece < 0 || piece == HFDS_CHESS_PAWN) {
		int from;
		if (last != (promo != 0) || promo == HFDS_CHESS_KING)
			return 0;
		if (to == b->ep)
			return -1;
		if (ffile < 0) {
			if (occ & BB(to))
				return 0;
			from = to - fwd;
			if (from < 0 || from > 63)
				return 0;
			if (!(b->squares[from])) {
				from -= fwd;
				if ((us ? (to >> 3) != 4 : (to >> 3) != 3) || !(b->by_type[HFDS_CHESS_PAWN] & own & BB(from)))
					return 0;
			} else if (!(b->by_type[HFDS_CHESS_PAWN] & own & BB(from))) {
				return 0;
			}
		} else {
			if (ffile == (to & 7))
				return -1;
			if (ffile - (to & 7) != 1 && (to & 7) - ffile != 1)
				return 0;
			from = (to & 56) - fwd + ffile;
			if (from < 0 || from > 63 || !(b->by_type[HFDS_CHESS_PAWN] & own & from_mask & BB(from)) ||
			    !(b->by_color[us ^ 1] & BB(to)))
				return 0;
		}
		if (!(from_mask & BB(from)) || !safe(b, from, to))
			return 0;
		*out = mkmove(from, to, promo, 0);
		return 1;
	}
	if (promo)
		return 0;
	switch (piece) {
	case HFDS_CHESS_KNIGHT: cand = hfds_chess__knight[to]; break;
	case HFDS_CHESS_BISHOP: cand = bishop_att(to, occ); break;
	case HFDS_CHESS_ROOK: cand = rook_att(to, occ); break;
	case HFDS_CHESS_QUEEN: cand = bishop_att(to, occ) | rook_att(to, occ); break;
	default: cand = hfds_chess__king[to]; break;
	}
	for (cand &= b->by_type[piece] & own & from_mask; cand; cand &= cand - 1) {
		int from = lsb(cand);
		if (safe(b, from, to)) {
			*out = mkmove(from, to, 0, 0);
			if (++n > 1)
				return n;
		}
	}
	return n;
}

int hfds_chess_parse_move(hfds_chess_move *out, const hfds_chess_board *b, const char *tok, size_t len,
	hfds_error *err)
{
	hfds_chess_move mv[HFDS_CHESS_MAX_MOVES];
	const char *s = tok;
	size_t n = len, i = 0;
	int piece = -1, ffile = -1, frank = -1, to, promo = 0, cnt, k, found = -1;
	uint64_t from_mask, to_mask;

	while (n && (s[n - 1] == '+' || s[n - 1] == '#' || s[n - 1] == '!' || s[n - 1] == '?'))
		n--;
	if (n == 2 && ((s[0] == '-' && s[1] == '-') || (s[0] == 'Z' && s[1] == '0'))) {
		*out = HFDS_CHESS_MOVE_NULL;
		return 0;
	}
	if (n == 4 && (!memcmp(s, "0000", 4) || !memcmp(s, "@@@@", 4))) {
		*out = HFDS_CHESS_MOVE_NULL;
		return 0;
	}
	if ((n == 3 && (!memcmp(s, "O-O", 3) || !memcmp(s, "0-0", 3))))
		return castle(out, b, 1, tok, len, err);
	if ((n == 5 && (!memcmp(s, "O-O-O", 5) || !memcmp(s, "0-0-0", 5))))
		return castle(out, b, 0, tok, len, err);

	/* ([NBKRQP])?([a-h])?([1-8])?[-x]?([a-h][1-8])(=?[nbrqkNBRQK])? */
	if (n >= 3 && promo_type(s[n - 1]) && (s[n - 2] == '=' || (s[n - 2] >= '1' && s[n - 2] <= '8'))) {
		promo = promo_type(s[n - 1]);
		n -= s[n - 2] == '=' ? 2 : 1;
	}
	if (n < 2 || s[n - 2] < 'a' || s[n - 2] > 'h' || s[n - 1] < '1' || s[n - 1] > '8')
		return fail(err, "invalid san", tok, len, b);
	to = (s[n - 1] - '1') * 8 + (s[n - 2] - 'a');
	n -= 2;
	if (i < n && piece_letter(s[i]) >= 0)
		piece = piece_letter(s[i++]);
	if (i < n && s[i] >= 'a' && s[i] <= 'h')
		ffile = s[i++] - 'a';
	if (i < n && s[i] >= '1' && s[i] <= '8')
		frank = s[i++] - '1';
	if (i < n && (s[i] == '-' || s[i] == 'x'))
		i++;
	if (i != n)
		return fail(err, "invalid san", tok, len, b);

	from_mask = ~0ULL;
	if (ffile >= 0)
		from_mask &= FILEA << ffile;
	if (frank >= 0)
		from_mask &= RANK1 << (8 * frank);
	to_mask = BB(to) & ~b->by_color[b->turn];

	if ((piece < 0 || piece == HFDS_CHESS_KING) && ffile >= 0 && frank >= 0) {
		/* Fully specified (UCI-like): any piece; a pawn reaching the last rank needs a piece. */
		int from = frank * 8 + ffile, cs = castle_target(b, from, to);
		if (cs >= 0 && !promo)
			return castle(out, b, cs, tok, len, err);
		if (piece < 0) {
			cnt = hfds_chess__gen(b, BB(from), BB(to), mv);
			for (k = 0; k < cnt; k++)
				if (!HFDS_CHESS_MOVE_CASTLE(mv[k]) && HFDS_CHESS_MOVE_PROMO(mv[k]) == promo) {
					*out = mv[k];
					return 0;
				}
			if (cnt > 0 && !promo)
				return fail(err, "missing promotion piece type", tok, len, b);
			return fail(err, "illegal san", tok, len, b);
		}
	}
	cnt = fast(out, b, piece, from_mask, ffile, to, promo);
	if (cnt == 1)
		return 0;
	if (cnt == 0)
		return fail(err, "illegal san", tok, len, b);
	if (cnt > 1)
		return fail(err, "ambiguous san", tok, len, b);
	if (piece < 0 || piece == HFDS_CHESS_PAWN) {
		from_mask &= b->by_type[HFDS_CHESS_PAWN];
		if (ffile < 0)
			from_mask &= FILEA << (to & 7);
	} else {
		from_mask &= b->by_type[piece];
	}
	cnt = hfds_chess__gen(b, from_mask, to_mask, mv);
	for (k = 0; k < cnt; k++) {
		if (HFDS_CHESS_MOVE_CASTLE(mv[k]) || HFDS_CHESS_MOVE_PROMO(mv[k]) != promo)
			continue;
		if (found >= 0)
			return fail(err, "ambiguous san", tok, len, b);
		found = k;
	}
	if (found < 0)
		return fail(err, "illegal san", tok, len, b);
	*out = mv[found];
	return 0;
}

size_t hfds_chess_move_uci(const hfds_chess_board *b, hfds_chess_move m, char out[8])
{
	static const char pc[8] = " nbrqk  ";
	int from = HFDS_CHESS_MOVE_FROM(m), to = HFDS_CHESS_MOVE_TO(m);
	size_t n = 0;
	if (m == HFDS_CHESS_MOVE_NULL) {
		memcpy(out, "0000", 5);
		return 4;
	}
	if (HFDS_CHESS_MOVE_CASTLE(m) && !b->chess960)
		to = (from & 56) + (to < from ? 2 : 6);
	out[n++] = (char)('a' + (from & 7));
	out[n++] = (char)('1' + (from >> 3));
	out[n++] = (char)('a' + (to & 7));
	out[n++] = (char)('1' + (to >> 3));
	if (HFDS_CHESS_MOVE_PROMO(m))
		out[n++] = pc[HFDS_CHESS_MOVE_PROMO(m)];
	out[n] = 0;
	return n;
}
