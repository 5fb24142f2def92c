/*
 * libFuzzer target for the PGN reader and SAN resolution: arbitrary bytes, delivered in
 * reads of varying size, must never crash, hang or grow memory. The first byte picks the
 * read size and which games have their moves replayed (the others take the skip path).
 * Seeds: the shared PGN samples (tests/fuzz/run.sh picks them for fuzz_pgn*).
 */
#include <stdint.h>
#include <string.h>
#include "hfds/chess.h"

typedef struct src {
	const uint8_t *p;
	size_t n, chunk;
} src;

static ptrdiff_t rd(void *ctx, void *buf, size_t cap, hfds_error *err)
{
	src *s = ctx;
	size_t k = s->n < cap ? s->n : cap;
	(void)err;
	if (k > s->chunk)
		k = s->chunk;
	memcpy(buf, s->p, k);
	s->p += k;
	s->n -= k;
	return (ptrdiff_t)k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hfds_pgn_reader *r = NULL;
	hfds_pgn_game *g;
	src s;
	uint8_t mode;
	if (size < 1)
		return 0;
	mode = data[0];
	s.p = data + 1;
	s.n = size - 1;
	s.chunk = (size_t)(mode & 0x3F) + 1;
	if (hfds_pgn_reader_new(&r, "fuzz", rd, &s, NULL) != 0)
		return 0;
	while (hfds_pgn_next(r, &g, NULL) == 0) {
		if ((g->index & 1) == (uint64_t)(mode >> 7)) {
			hfds_chess_board b;
			size_t i;
			char fen[128];
			if (hfds_pgn_read_moves(r, g, NULL) != 0)
				break;
			hfds_chess_board_init(&b);
			for (i = 0; i < g->nmoves; i++)
				hfds_chess_board_push(&b, g->moves[i]);
			hfds_chess_board_fen(&b, fen, sizeof(fen));
		}
		(void)hfds_pgn_tag_get(g, "WhiteElo");
	}
	hfds_pgn_reader_free(r);
	/* the raw bytes as one SAN token against the start position */
	{
		hfds_chess_board b;
		hfds_chess_move m;
		hfds_chess_board_init(&b);
		(void)hfds_chess_parse_move(&m, &b, (const char *)data, size < 16 ? size : 16, NULL);
	}
	return 0;
}
