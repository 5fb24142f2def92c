/*
 * Board state, legal move generation and move making.
 *
 * Generation is python-chess's scheme: pseudo-legal moves restricted by the check mask
 * (single check: block or capture; double check: king only), pinned pieces kept on their
 * pin line, king moves tested against attacks with the king lifted off the board, and en
 * passant tested by replaying the capture on the occupancy (covers the rank "alignment"
 * traps). Castling follows the Chess960 rule set, which reduces to the standard one for
 * games from the start position.
 */
#include "chess/chess_int.h"

#include <string.h>

uint64_t hfds_chess__knight[64], hfds_chess__king[64], hfds_chess__pawn[2][64];
uint64_t hfds_chess__file_m[64], hfds_chess__diag_m[64], hfds_chess__anti_m[64];
uint8_t hfds_chess__rank_tab[8][64];
uint64_t hfds_chess__between[64][64], hfds_chess__line[64][64];

static int on_board(int f, int r) { return f >= 0 && f < 8 && r >= 0 && r < 8; }

static uint64_t step_set(int sq, const int (*d)[2], int n)
{
	uint64_t m = 0;
	int i, f = sq & 7, r = sq >> 3;
	for (i = 0; i < n; i++)
		if (on_board(f + d[i][0], r + d[i][1]))
			m |= BB((r + d[i][1]) * 8 + f + d[i][0]);
	return m;
}

static uint64_t ray_set(int sq, int df, int dr)
{
	uint64_t m = 0;
	int f = (sq & 7) + df, r = (sq >> 3) + dr;
	for (; on_board(f, r); f += df, r += dr)
		m |= BB(r * 8 + f);
	return m;
}

/* Tables are pure functions of the geometry; filled before main so lookups need no guard. */
__attribute__((constructor)) static void init_tables(void)
{
	static const int kn[8][2] = {{1, 2}, {2, 1}, {2, -1}, {1, -2}, {-1, -2}, {-2, -1}, {-2, 1}, {-1, 2}};
	static const int kg[8][2] = {{1, 0}, {1, 1}, {0, 1}, {-1, 1}, {-1, 0}, {-1, -1}, {0, -1}, {1, -1}};
	static const int wp[2][2] = {{-1, 1}, {1, 1}}, bp[2][2] = {{-1, -1}, {1, -1}};
	int sq, f, o, a, b;
	for (sq = 0; sq < 64; sq++) {
		hfds_chess__knight[sq] = step_set(sq, kn, 8);
		hfds_chess__king[sq] = step_set(sq, kg, 8);
		hfds_chess__pawn[0][sq] = step_set(sq, wp, 2);
		hfds_chess__pawn[1][sq] = step_set(sq, bp, 2);
		hfds_chess__file_m[sq] = ray_set(sq, 0, 1) | ray_set(sq, 0, -1);
		hfds_chess__diag_m[sq] = ray_set(sq, 1, 1) | ray_set(sq, -1, -1);
		hfds_chess__anti_m[sq] = ray_set(sq, 1, -1) | ray_set(sq, -1, 1);
	}
	for (f = 0; f < 8; f++)
		for (o = 0; o < 64; o++) {
			unsigned occ = (unsigned)o << 1, m = 0;
			int x;
			for (x = f + 1; x < 8; x++) {
				m |= 1u << x;
				if (occ & (1u << x))
					break;
			}
			for (x = f - 1; x >= 0; x--) {
				m |= 1u << x;
				if (occ & (1u << x))
					break;
			}
			hfds_chess__rank_tab[f][o] = (uint8_t)m;
		}
	for (a = 0; a < 64; a++)
		for (b = 0; b < 64; b++) {
			static const int dirs[8][2] = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}, {1, 1}, {-1, -1}, {1, -1}, {-1, 1}};
			int d;
			hfds_chess__between[a][b] = hfds_chess__line[a][b] = 0;
			for (d = 0; d < 8; d++) {
				uint64_t ray = ray_set(a, dirs[d][0], dirs[d][1]);
				if (ray & BB(b)) {
					uint64_t back = ray_set(b, dirs[d][0], dirs[d][1]);
					hfds_chess__between[a][b] = ray & ~back & ~BB(b);
					hfds_chess__line[a][b] = ray | ray_set(a, -dirs[d][0], -dirs[d][1]) | BB(a);
				}
			}
		}
}

static void put(hfds_chess_board *b, int sq, int type, int color)
{
	b->by_type[type] |= BB(sq);
	b->by_color[color] |= BB(sq);
	b->squares[sq] = (uint8_t)((type + 1) | (color << 3));
}

static void lift(hfds_chess_board *b, int sq)
{
	int p = b->squares[sq];
	if (!p)
		return;
	b->by_type[(p & 7) - 1] &= ~BB(sq);
	b->by_color[p >> 3] &= ~BB(sq);
	b->squares[sq] = 0;
}

void hfds_chess_board_init(hfds_chess_board *b)
{
	static const int back[8] = {HFDS_CHESS_ROOK, HFDS_CHESS_KNIGHT, HFDS_CHESS_BISHOP, HFDS_CHESS_QUEEN,
		HFDS_CHESS_KING, HFDS_CHESS_BISHOP, HFDS_CHESS_KNIGHT, HFDS_CHESS_ROOK};
	int f;
	memset(b, 0, sizeof(*b));
	for (f = 0; f < 8; f++) {
		put(b, f, back[f], 0);
		put(b, 8 + f, HFDS_CHESS_PAWN, 0);
		put(b, 48 + f, HFDS_CHESS_PAWN, 1);
		put(b, 56 + f, back[f], 1);
	}
	b->castling = BB(0) | BB(7) | BB(56) | BB(63);
	b->ep = -1;
	b->fullmove = 1;
}

uint64_t hfds_chess__clean_castling(const hfds_chess_board *b)
{
	uint64_t rooks = b->castling & b->by_type[HFDS_CHESS_ROOK];
	uint64_t res = 0;
	int c;
	for (c = 0; c < 2; c++) {
		uint64_t rank = c ? RANK8 : RANK1;
		uint64_t cr = rooks & rank & b->by_color[c];
		uint64_t king = b->by_type[HFDS_CHESS_KING] & b->by_color[c] & rank;
		if (!b->chess960) {
			cr &= c ? (BB(56) | BB(63)) : (BB(0) | BB(7));
			if (!(king & BB(c ? 60 : 4)))
				cr = 0;
			res |= cr;
		} else {
			uint64_t aside, hside;
			if (!king || !cr)
				continue;
			aside = cr & -cr;
			hside = BB(msb(cr));
			if (lsb(aside) > lsb(king))
				aside = 0;
			if (msb(hside) < lsb(king))
				hside = 0;
			res |= aside | hside;
		}
	}
	return res;
}

int hfds_chess_has_castling(const hfds_chess_board *b, int color, int kingside)
{
	uint64_t rank = color ? RANK8 : RANK1;
	uint64_t king = b->by_type[HFDS_CHESS_KING] & b->by_color[color] & rank;
	uint64_t cr = hfds_chess__clean_castling(b) & rank;
	if (!king)
		return 0;
	for (; cr; cr &= cr - 1) {
		uint64_t rook = cr & -cr;
		if (kingside ? rook > king : rook < king)
			return 1;
	}
	return 0;
}

int hfds_chess_in_check(const hfds_chess_board *b)
{
	uint64_t k = b->by_type[HFDS_CHESS_KING] & b->by_color[b->turn];
	return k ? attackers(b, b->turn ^ 1, lsb(k), occupied(b)) != 0 : 0;
}

static int add_pawn(hfds_chess_move *out, int n, int from, int to)
{
	if (to >= 56 || to < 8) {
		out[n++] = mkmove(from, to, HFDS_CHESS_QUEEN, 0);
		out[n++] = mkmove(from, to, HFDS_CHESS_ROOK, 0);
		out[n++] = mkmove(from, to, HFDS_CHESS_BISHOP, 0);
		out[n++] = mkmove(from, to, HFDS_CHESS_KNIGHT, 0);
	} else {
		out[n++] = mkmove(from, to, 0, 0);
	}
	return n;
}

static int gen_castling(const hfds_chess_board *b, int ksq, uint64_t to_mask, hfds_chess_move *out, int n)
{
	int us = b->turn, them = us ^ 1, base = us ? 56 : 0;
	uint64_t occ = occupied(b), kbb = BB(ksq);
	uint64_t cr = hfds_chess__clean_castling(b) & (us ? RANK8 : RANK1) & to_mask;
	if (!(kbb & (us ? RANK8 : RANK1)))
		return n;
	for (; cr; cr &= cr - 1) {
		int r = lsb(cr), aside = r < ksq;
		int kto = base + (aside ? 2 : 6), rto = base + (aside ? 3 : 5);
		uint64_t rbb = BB(r), path = hfds_chess__between[ksq][kto], s;
		if ((occ ^ kbb ^ rbb) & (path | hfds_chess__between[r][rto] | BB(kto) | BB(rto)))
			continue;
		for (s = path | kbb; s; s &= s - 1)
			if (attackers(b, them, lsb(s), occ ^ kbb))
				break;
		if (s)
			continue;
		if (attackers(b, them, kto, occ ^ kbb ^ rbb ^ BB(rto)))
			continue;
		out[n++] = mkmove(ksq, r, 0, 1);
	}
	return n;
}

int hfds_chess__gen(const hfds_chess_board *b, uint64_t from_mask, uint64_t to_mask, hfds_chess_move *out)
{
	int us = b->turn, them = us ^ 1, n = 0, ksq;
	uint64_t own = b->by_color[us], opp = b->by_color[them], occ = own | opp;
	uint64_t kbb = b->by_type[HFDS_CHESS_KING] & own;
	uint64_t checkers, pinned = 0, target, snipers, m, att;
	if (!kbb)
		return 0;
	ksq = lsb(kbb);
	checkers = attackers(b, them, ksq, occ);
	snipers = opp & ((rook_att(ksq, 0) & (b->by_type[HFDS_CHESS_ROOK] | b->by_type[HFDS_CHESS_QUEEN])) |
		(bishop_att(ksq, 0) & (b->by_type[HFDS_CHESS_BISHOP] | b->by_type[HFDS_CHESS_QUEEN])));
	for (; snipers; snipers &= snipers - 1) {
		uint64_t blk = hfds_chess__between[ksq][lsb(snipers)] & occ;
		if (blk && !(blk & (blk - 1)))
			pinned |= blk & own;
	}
	target = ~own & to_mask;
	if (checkers)
		target &= (checkers & (checkers - 1)) ? 0 : (hfds_chess__between[ksq][lsb(checkers)] | checkers);
	from_mask &= own;

	if (target) {
		for (m = b->by_type[HFDS_CHESS_KNIGHT] & from_mask & ~pinned; m; m &= m - 1) {
			int f = lsb(m);
			for (att = hfds_chess__knight[f] & target; att; att &= att - 1)
				out[n++] = mkmove(f, lsb(att), 0, 0);
		}
		for (m = (b->by_type[HFDS_CHESS_BISHOP] | b->by_type[HFDS_CHESS_QUEEN]) & from_mask; m; m &= m - 1) {
			int f = lsb(m);
			att = bishop_att(f, occ) & target;
			if (pinned & BB(f))
				att &= hfds_chess__line[ksq][f];
			for (; att; att &= att - 1)
				out[n++] = mkmove(f, lsb(att), 0, 0);
		}
		for (m = (b->by_type[HFDS_CHESS_ROOK] | b->by_type[HFDS_CHESS_QUEEN]) & from_mask; m; m &= m - 1) {
			int f = lsb(m);
			att = rook_att(f, occ) & target;
			if (pinned & BB(f))
				att &= hfds_chess__line[ksq][f];
			for (; att; att &= att - 1)
				out[n++] = mkmove(f, lsb(att), 0, 0);
		}
		for (m = b->by_type[HFDS_CHESS_PAWN] & from_mask; m; m &= m - 1) {
			int f = lsb(m), fwd = us ? -8 : 8, to = f + fwd;
			uint64_t t = hfds_chess__pawn[us][f] & opp;
			if (to >= 0 && to < 64 && !(occ & BB(to))) {
				t |= BB(to);
				if ((us ? (f >> 3) == 6 : (f >> 3) == 1) && !(occ & BB(to + fwd)))
					t |= BB(to + fwd);
			}
			t &= target;
			if (pinned & BB(f))
				t &= hfds_chess__line[ksq][f];
			for (; t; t &= t - 1)
				n = add_pawn(out, n, f, lsb(t));
		}
	}
	/* En passant: replay the capture on the occupancy and look at the king. */
	if (b->ep >= 0 && (to_mask & BB(b->ep)) && !(occ & BB(b->ep))) {
		int cap = b->ep + (us ? 8 : -8);
		uint64_t capbb = BB(cap);
		if (b->by_type[HFDS_CHESS_PAWN] & opp & capbb) {
			for (m = hfds_chess__pawn[them][b->ep] & b->by_type[HFDS_CHESS_PAWN] & from_mask; m; m &= m - 1) {
				int f = lsb(m);
				uint64_t occ2 = occ ^ BB(f) ^ BB(b->ep) ^ capbb;
				uint64_t rq = (b->by_type[HFDS_CHESS_ROOK] | b->by_type[HFDS_CHESS_QUEEN]) & opp;
				uint64_t bq = (b->by_type[HFDS_CHESS_BISHOP] | b->by_type[HFDS_CHESS_QUEEN]) & opp;
				uint64_t other = (hfds_chess__knight[ksq] & b->by_type[HFDS_CHESS_KNIGHT] & opp) |
					(hfds_chess__pawn[us][ksq] & b->by_type[HFDS_CHESS_PAWN] & opp & ~capbb);
				if (!(rook_att(ksq, occ2) & rq) && !(bishop_att(ksq, occ2) & bq) && !other)
					out[n++] = mkmove(f, b->ep, 0, 0);
			}
		}
	}
	if (kbb & from_mask) {
		for (att = hfds_chess__king[ksq] & ~own & to_mask; att; att &= att - 1) {
			int t = lsb(att);
			if (!attackers(b, them, t, occ ^ kbb))
				out[n++] = mkmove(ksq, t, 0, 0);
		}
		if (!checkers && b->castling)
			n = gen_castling(b, ksq, to_mask, out, n);
	}
	return n;
}

int hfds_chess_legal_moves(const hfds_chess_board *b, hfds_chess_move *out)
{
	return hfds_chess__gen(b, ~0ULL, ~0ULL, out);
}

void hfds_chess_board_push(hfds_chess_board *b, hfds_chess_move m)
{
	int us = b->turn, from, to, p, type, oldep = b->ep;
	b->halfmove++;
	if (us)
		b->fullmove++;
	b->ep = -1;
	b->turn ^= 1;
	if (m == HFDS_CHESS_MOVE_NULL)
		return;
	from = HFDS_CHESS_MOVE_FROM(m);
	to = HFDS_CHESS_MOVE_TO(m);
	p = b->squares[from];
	type = (p & 7) - 1;
	if (HFDS_CHESS_MOVE_CASTLE(m)) {
		int base = us ? 56 : 0, aside = to < from;
		lift(b, from);
		lift(b, to);
		put(b, base + (aside ? 2 : 6), HFDS_CHESS_KING, us);
		put(b, base + (aside ? 3 : 5), HFDS_CHESS_ROOK, us);
		b->castling &= ~(us ? RANK8 : RANK1);
		return;
	}
	if (type == HFDS_CHESS_PAWN) {
		b->halfmove = 0;
		if (to == oldep && !b->squares[to])
			lift(b, to + (us ? 8 : -8));
		else if (to - from == 16 || from - to == 16)
			b->ep = (int8_t)((from + to) / 2);
	}
	if (b->squares[to]) {
		b->halfmove = 0;
		lift(b, to);
	}
	lift(b, from);
	put(b, to, HFDS_CHESS_MOVE_PROMO(m) ? HFDS_CHESS_MOVE_PROMO(m) : type, us);
	b->castling &= ~(BB(from) | BB(to));
	if (type == HFDS_CHESS_KING)
		b->castling &= ~(us ? RANK8 : RANK1);
}

uint64_t hfds_chess_perft(const hfds_chess_board *b, int depth)
{
	hfds_chess_move moves[HFDS_CHESS_MAX_MOVES];
	uint64_t total = 0;
	int i, n;
	if (depth <= 0)
		return 1;
	n = hfds_chess_legal_moves(b, moves);
	if (depth == 1)
		return (uint64_t)n;
	for (i = 0; i < n; i++) {
		hfds_chess_board c = *b;
		hfds_chess_board_push(&c, moves[i]);
		total += hfds_chess_perft(&c, depth - 1);
	}
	return total;
}

void hfds_chess_encode(const hfds_chess_board *b, int8_t out[HFDS_CHESS_TOKENS])
{
	/* squares[] code -> token: white (1..6) -> 17..22, black (9..14) -> 23..28, empty -> 15. */
	static const int8_t tok[16] = {15, 17, 18, 19, 20, 21, 22, 15, 15, 23, 24, 25, 26, 27, 28, 15};
	int i;
	for (i = 0; i < 64; i++)
		out[i] = tok[b->squares[i]];
	out[64] = b->turn ? 30 : 29;
	out[65] = hfds_chess_has_castling(b, 0, 1) ? 32 : 31;
	out[66] = hfds_chess_has_castling(b, 0, 0) ? 32 : 31;
	out[67] = hfds_chess_has_castling(b, 1, 1) ? 32 : 31;
	out[68] = hfds_chess_has_castling(b, 1, 0) ? 32 : 31;
}
