/*
 * Internal bitboard helpers shared by the chess sources: attack tables (filled once by a
 * constructor), slider attacks by hyperbola quintessence (files, diagonals) plus a rank table.
 */
#ifndef HFDS_CHESS_INT_H
#define HFDS_CHESS_INT_H

#include <stdint.h>
#include "hfds/chess.h"

#define BB(sq) (1ULL << (sq))
#define RANK1 0x00000000000000FFULL
#define RANK8 0xFF00000000000000ULL
#define FILEA 0x0101010101010101ULL

extern uint64_t hfds_chess__knight[64], hfds_chess__king[64], hfds_chess__pawn[2][64];
extern uint64_t hfds_chess__file_m[64], hfds_chess__diag_m[64], hfds_chess__anti_m[64];
extern uint8_t hfds_chess__rank_tab[8][64];
extern uint64_t hfds_chess__between[64][64], hfds_chess__line[64][64];

static inline int lsb(uint64_t b) { return __builtin_ctzll(b); }
static inline int msb(uint64_t b) { return 63 - __builtin_clzll(b); }
static inline int popcnt(uint64_t b) { return __builtin_popcountll(b); }

static inline uint64_t hq(uint64_t occ, uint64_t mask, int sq)
{
	uint64_t f = occ & mask, r = __builtin_bswap64(f);
	f -= 2 * BB(sq);
	r -= 2 * __builtin_bswap64(BB(sq));
	return (f ^ __builtin_bswap64(r)) & mask;
}

static inline uint64_t rank_att(int sq, uint64_t occ)
{
	int r8 = sq & 56;
	return (uint64_t)hfds_chess__rank_tab[sq & 7][(occ >> (r8 + 1)) & 63] << r8;
}

static inline uint64_t bishop_att(int sq, uint64_t occ)
{
	return hq(occ, hfds_chess__diag_m[sq], sq) | hq(occ, hfds_chess__anti_m[sq], sq);
}

static inline uint64_t rook_att(int sq, uint64_t occ)
{
	return hq(occ, hfds_chess__file_m[sq], sq) | rank_att(sq, occ);
}

static inline uint64_t occupied(const hfds_chess_board *b)
{
	return b->by_color[0] | b->by_color[1];
}

/* Pieces of colour `by` attacking sq, given occupancy occ. */
static inline uint64_t attackers(const hfds_chess_board *b, int by, int sq, uint64_t occ)
{
	uint64_t them = b->by_color[by];
	uint64_t rq = b->by_type[HFDS_CHESS_ROOK] | b->by_type[HFDS_CHESS_QUEEN];
	uint64_t bq = b->by_type[HFDS_CHESS_BISHOP] | b->by_type[HFDS_CHESS_QUEEN];
	return them & ((hfds_chess__knight[sq] & b->by_type[HFDS_CHESS_KNIGHT]) |
		(hfds_chess__king[sq] & b->by_type[HFDS_CHESS_KING]) |
		(hfds_chess__pawn[by ^ 1][sq] & b->by_type[HFDS_CHESS_PAWN]) |
		(rook_att(sq, occ) & rq) | (bishop_att(sq, occ) & bq));
}

/* Legal moves with from-square in from_mask and (internal) to-square in to_mask. */
int hfds_chess__gen(const hfds_chess_board *b, uint64_t from_mask, uint64_t to_mask, hfds_chess_move *out);
/* Rook squares with a usable castling right (python-chess clean_castling_rights). */
uint64_t hfds_chess__clean_castling(const hfds_chess_board *b);

/* Input bytes consumed and games started by a reader (for progress and global game numbers). */
uint64_t hfds_pgn__bytes(const hfds_pgn_reader *r);
uint64_t hfds_pgn__games(const hfds_pgn_reader *r);

static inline hfds_chess_move mkmove(int from, int to, int promo, int castle)
{
	return (hfds_chess_move)(from | (to << 6) | (promo << 12) | (castle << 15));
}

#endif
