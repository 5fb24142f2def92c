/* Perft: every line of python-chess's tricky.perft (Chess960 castling rules, as its runner
 * uses) and the spec's table (§3.3) up to the depths that stay quick under ASan; the deeper
 * counts (Kiwipete, positions 5 and 6 at depth 5) run in bench/chess/run.sh. */
#include "test.h"
#include "hfds/chess.h"

static uint64_t perft_fen(const char *fen, int chess960, int depth)
{
	hfds_chess_board b;
	hfds_error err;
	hfds_error_init(&err);
	if (hfds_chess_board_set_fen(&b, fen, chess960, &err) != 0) {
		fprintf(stderr, "%s\n", err.message);
		return 0;
	}
	return hfds_chess_perft(&b, depth);
}

static void test_tricky_perft_file(void)
{
	FILE *f = fopen(test_shared("testdata/perft/tricky.perft"), "r");
	char line[512], id[512] = "", epd[512] = "";
	int lines = 0;
	REQUIRE(f != NULL);
	while (fgets(line, sizeof(line), f)) {
		int depth;
		unsigned long long nodes;
		line[strcspn(line, "\r\n")] = 0;
		if (!strncmp(line, "id ", 3)) {
			snprintf(id, sizeof(id), "%s", line + 3);
		} else if (!strncmp(line, "epd ", 4)) {
			snprintf(epd, sizeof(epd), "%s", line + 4);
		} else if (sscanf(line, "perft %d %llu", &depth, &nodes) == 2) {
			uint64_t got = perft_fen(epd, 1, depth);
			if (got != nodes)
				fprintf(stderr, "%s (%s) depth %d: got %llu, expected %llu\n", id, epd, depth,
					(unsigned long long)got, nodes);
			CHECK(got == nodes);
			lines++;
		}
	}
	fclose(f);
	CHECK_EQ_INT(lines, 67);
}

static void test_spec_table(void)
{
	static const struct { const char *fen; int depth; uint64_t nodes; } t[] = {
		{"rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1", 1, 20},
		{"rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1", 3, 8902},
		{"rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1", 4, 197281},
		{"rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1", 5, 4865609},
		{"r3k2r/p1ppqpb1/bn2pnp1/3PN3/1p2P3/2N2Q1p/PPPBBPPP/R3K2R w KQkq -", 4, 4085603},
		{"8/2p5/3p4/KP5r/1R3p1k/8/4P1P1/8 w - -", 5, 674624},
		{"r3k2r/Pppp1ppp/1b3nbN/nP6/BBP1P3/q4N2/Pp1P2PP/R2Q1RK1 w kq - 0 1", 5, 15833292},
		{"r2q1rk1/pP1p2pp/Q4n2/bbp1p3/Np6/1B3NBn/pPPP1PPP/R3K2R b KQ - 0 1", 4, 422333},
		{"rnbq1k1r/pp1Pbppp/2p5/8/2B5/8/PPP1NnPP/RNBQK2R w KQ - 1 8", 4, 2103487},
		{"r4rk1/1pp1qppp/p1np1n2/2b1p1B1/2B1P1b1/P1NP1N2/1PP1QPPP/R4RK1 w - - 0 10", 4, 3894594},
	};
	size_t i;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint64_t got = perft_fen(t[i].fen, 0, t[i].depth);
		if (got != t[i].nodes)
			fprintf(stderr, "%s depth %d: got %llu\n", t[i].fen, t[i].depth, (unsigned long long)got);
		CHECK(got == t[i].nodes);
	}
}

static void test_fen_roundtrip(void)
{
	static const char *fens[] = {
		"rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1",
		"r3k2r/p1ppqpb1/bn2pnp1/3PN3/1p2P3/2N2Q1p/PPPBBPPP/R3K2R w KQkq - 0 1",
		"rnbqkbnr/ppp1p1pp/8/3pPp2/8/8/PPPP1PPP/RNBQKBNR w KQkq f6 0 3",
	};
	size_t i;
	for (i = 0; i < sizeof(fens) / sizeof(fens[0]); i++) {
		hfds_chess_board b;
		char out[128];
		REQUIRE(hfds_chess_board_set_fen(&b, fens[i], 0, NULL) == 0);
		hfds_chess_board_fen(&b, out, sizeof(out));
		CHECK_EQ_STR(out, fens[i]);
	}
}

static void test_fen_ep_only_when_legal(void)
{
	hfds_chess_board b;
	char out[128];
	hfds_chess_move m;
	hfds_chess_board_init(&b);
	REQUIRE(hfds_chess_parse_move(&m, &b, "e4", 2, NULL) == 0);
	hfds_chess_board_push(&b, m);
	hfds_chess_board_fen(&b, out, sizeof(out));
	CHECK_EQ_STR(out, "rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 1");
	CHECK_EQ_INT(b.ep, 20);
	/* the capture would expose the king along the rank: no e.p. field */
	REQUIRE(hfds_chess_board_set_fen(&b, "1b1k4/8/8/1rPpK3/8/8/8/8 w - d6", 0, NULL) == 0);
	hfds_chess_board_fen(&b, out, sizeof(out));
	CHECK_EQ_STR(out, "1b1k4/8/8/1rPpK3/8/8/8/8 w - - 0 1");
	/* the capture blocks a check: e.p. field kept */
	REQUIRE(hfds_chess_board_set_fen(&b, "8/8/8/1k6/3Pp3/8/8/4KQ2 b - d3", 0, NULL) == 0);
	hfds_chess_board_fen(&b, out, sizeof(out));
	CHECK_EQ_STR(out, "8/8/8/1k6/3Pp3/8/8/4KQ2 b - d3 0 1");
}

int main(void)
{
	RUN(test_tricky_perft_file);
	RUN(test_spec_table);
	RUN(test_fen_roundtrip);
	RUN(test_fen_ep_only_when_legal);
	TEST_END();
}
