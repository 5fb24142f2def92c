/* FEN/EPD parsing and python-chess style FEN output. */
#include "chess/chess_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int piece_type(char c)
{
	switch (c | 32) {
	case 'p': return HFDS_CHESS_PAWN;
	case 'n': return HFDS_CHESS_KNIGHT;
	case 'b': return HFDS_CHESS_BISHOP;
	case 'r': return HFDS_CHESS_ROOK;
	case 'q': return HFDS_CHESS_QUEEN;
	case 'k': return HFDS_CHESS_KING;
	default: return -1;
	}
}

/* python-chess set_castling_fen: K/Q pick the outermost rook on that side of the king. */
static int castling_flag(hfds_chess_board *b, char flag)
{
	int color = (flag >= 'A' && flag <= 'Z') ? 0 : 1;
	char f = (char)(flag | 32);
	uint64_t rank = color ? RANK8 : RANK1;
	uint64_t rooks = b->by_color[color] & b->by_type[HFDS_CHESS_ROOK] & rank;
	uint64_t king = b->by_type[HFDS_CHESS_KING] & b->by_color[color];
	if (f == 'q') {
		if (king && rooks && lsb(rooks) < lsb(king))
			b->castling |= rooks & -rooks;
		else
			b->castling |= FILEA & rank;
	} else if (f == 'k') {
		if (king && rooks && lsb(king) < msb(rooks))
			b->castling |= BB(msb(rooks));
		else
			b->castling |= (FILEA << 7) & rank;
	} else if (f >= 'a' && f <= 'h') {
		b->castling |= (FILEA << (f - 'a')) & rank;
	} else {
		return -1;
	}
	return 0;
}

int hfds_chess_board_set_fen(hfds_chess_board *b, const char *fen, int chess960, hfds_error *err)
{
	const char *p = fen;
	int rank = 7, file = 0;
	memset(b, 0, sizeof(*b));
	b->ep = -1;
	b->fullmove = 1;
	b->chess960 = (uint8_t)(chess960 != 0);
	while (*p == ' ')
		p++;
	for (; *p && *p != ' '; p++) {
		if (*p == '/') {
			if (file != 8 || rank == 0)
				goto bad;
			rank--;
			file = 0;
		} else if (*p >= '1' && *p <= '8') {
			file += *p - '0';
			if (file > 8)
				goto bad;
		} else {
			int t = piece_type(*p);
			if (t < 0 || file > 7)
				goto bad;
			b->by_type[t] |= BB(rank * 8 + file);
			b->by_color[(*p >= 'a') ? 1 : 0] |= BB(rank * 8 + file);
			b->squares[rank * 8 + file] = (uint8_t)((t + 1) | (((*p >= 'a') ? 1 : 0) << 3));
			file++;
		}
	}
	if (rank != 0 || file != 8)
		goto bad;
	while (*p == ' ')
		p++;
	if (*p == 'w' || *p == 'b') {
		b->turn = *p == 'b';
		p++;
	} else if (*p) {
		goto bad;
	}
	while (*p == ' ')
		p++;
	if (*p == '-') {
		p++;
	} else {
		for (; *p && *p != ' '; p++)
			if (castling_flag(b, *p) < 0)
				goto bad;
	}
	while (*p == ' ')
		p++;
	if (*p == '-') {
		p++;
	} else if (*p >= 'a' && *p <= 'h' && p[1] >= '1' && p[1] <= '8') {
		b->ep = (int8_t)((p[1] - '1') * 8 + (p[0] - 'a'));
		p += 2;
	} else if (*p) {
		goto bad;
	}
	while (*p == ' ')
		p++;
	if (*p) {
		char *end;
		b->halfmove = (uint32_t)strtoul(p, &end, 10);
		p = end;
		while (*p == ' ')
			p++;
		if (*p) {
			b->fullmove = (uint32_t)strtoul(p, &end, 10);
			if (b->fullmove == 0)
				b->fullmove = 1;
		}
	}
	if (popcnt(b->by_type[HFDS_CHESS_KING] & b->by_color[0]) != 1 ||
	    popcnt(b->by_type[HFDS_CHESS_KING] & b->by_color[1]) != 1)
		return hfds_error_set(err, HFDS_EPARSE, "fen: expected one king per side: '%s'", fen);
	return 0;
bad:
	return hfds_error_set(err, HFDS_EPARSE, "fen: invalid at column %d: '%s'", (int)(p - fen) + 1, fen);
}

static int has_legal_ep(const hfds_chess_board *b)
{
	hfds_chess_move mv[HFDS_CHESS_MAX_MOVES];
	if (b->ep < 0)
		return 0;
	return hfds_chess__gen(b, b->by_type[HFDS_CHESS_PAWN], BB(b->ep), mv) > 0;
}

size_t hfds_chess_board_fen(const hfds_chess_board *b, char *out, size_t cap)
{
	static const char sym[16] = ".PNBRQK..pnbrqk.";
	char s[128];
	size_t n = 0;
	int r, f;
	uint64_t cr;
	for (r = 7; r >= 0; r--) {
		int empty = 0;
		for (f = 0; f < 8; f++) {
			int p = b->squares[r * 8 + f];
			if (!p) {
				empty++;
				continue;
			}
			if (empty)
				s[n++] = (char)('0' + empty);
			empty = 0;
			s[n++] = sym[p];
		}
		if (empty)
			s[n++] = (char)('0' + empty);
		if (r)
			s[n++] = '/';
	}
	s[n++] = ' ';
	s[n++] = b->turn ? 'b' : 'w';
	s[n++] = ' ';
	cr = hfds_chess__clean_castling(b);
	if (!cr) {
		s[n++] = '-';
	} else {
		int c;
		for (c = 0; c < 2; c++) {
			uint64_t rank = c ? RANK8 : RANK1, m = cr & rank;
			uint64_t king = b->by_type[HFDS_CHESS_KING] & b->by_color[c] & rank;
			int sq;
			for (sq = 63; sq >= 0; sq--)
				if (m & BB(sq))
					s[n++] = (char)((king && sq > lsb(king)) ? (c ? 'k' : 'K') : (c ? 'q' : 'Q'));
		}
	}
	s[n++] = ' ';
	if (has_legal_ep(b)) {
		s[n++] = (char)('a' + (b->ep & 7));
		s[n++] = (char)('1' + (b->ep >> 3));
	} else {
		s[n++] = '-';
	}
	n += (size_t)snprintf(s + n, sizeof(s) - n, " %u %u", b->halfmove, b->fullmove);
	if (cap) {
		size_t k = n < cap - 1 ? n : cap - 1;
		memcpy(out, s, k);
		out[k] = 0;
	}
	return n;
}
