/* Encoding golden vectors (spec §1.5), SAN leniencies, Python's MT19937, the seed-42 golden
 * trace of the original sampler, and ply-curve determinism. */
#include "test.h"
#include "hfds/chess.h"

static int play(hfds_chess_board *b, const char *moves)
{
	char tok[32];
	const char *p = moves;
	hfds_chess_board_init(b);
	while (*p) {
		size_t n = 0;
		hfds_chess_move m;
		hfds_error err;
		while (*p == ' ')
			p++;
		while (*p && *p != ' ' && n < sizeof(tok) - 1)
			tok[n++] = *p++;
		if (!n)
			break;
		hfds_error_init(&err);
		if (hfds_chess_parse_move(&m, b, tok, n, &err) != 0) {
			fprintf(stderr, "%.*s: %s\n", (int)n, tok, err.message);
			return -1;
		}
		hfds_chess_board_push(b, m);
	}
	return 0;
}

static void tokens_str(const hfds_chess_board *b, char *out)
{
	int8_t t[69];
	int i;
	hfds_chess_encode(b, t);
	out[0] = 0;
	for (i = 0; i < 69; i++)
		sprintf(out + strlen(out), "%s%d", i ? "," : "", t[i]);
}

static void test_golden_vectors(void)
{
	hfds_chess_board b;
	int8_t t[69];
	char s[400], fen[128];
	hfds_chess_board_init(&b);
	tokens_str(&b, s);
	CHECK_EQ_STR(s, "20,18,19,21,22,19,18,20,17,17,17,17,17,17,17,17,"
		"15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,15,"
		"23,23,23,23,23,23,23,23,26,24,25,27,28,25,24,26,29,32,32,32,32");
	REQUIRE(play(&b, "e4") == 0);
	hfds_chess_encode(&b, t);
	CHECK_EQ_INT(t[12], 15);
	CHECK_EQ_INT(t[28], 17);
	CHECK_EQ_INT(t[64], 30);
	CHECK(t[65] == 32 && t[66] == 32 && t[67] == 32 && t[68] == 32);
	REQUIRE(play(&b, "e4 e5 Nf3 Nc6 Bc4 Nf6 O-O") == 0);
	hfds_chess_board_fen(&b, fen, sizeof(fen));
	CHECK_EQ_STR(fen, "r1bqkb1r/pppp1ppp/2n2n2/4p3/2B1P3/5N2/PPPP1PPP/RNBQ1RK1 b kq - 5 4");
	tokens_str(&b, s);
	CHECK(strncmp(s, "20,18,19,21,15,20,22,15,", 24) == 0);
	CHECK(strcmp(s + strlen(s) - 14, "30,31,31,32,32") == 0);
	REQUIRE(play(&b, "e4 e5 Ke2") == 0);
	tokens_str(&b, s);
	CHECK(strcmp(s + strlen(s) - 14, "30,31,31,32,32") == 0);
	REQUIRE(play(&b, "h4 a5 Rh3 Ra6") == 0);
	tokens_str(&b, s);
	CHECK(strcmp(s + strlen(s) - 14, "29,31,32,32,31") == 0);
	REQUIRE(hfds_chess_board_set_fen(&b, "r3k2r/p1ppqpb1/bn2pnp1/3PN3/1p2P3/2N2Q1p/PPPBBPPP/R3K2R w KQkq -", 0, NULL) == 0);
	tokens_str(&b, s);
	CHECK_EQ_STR(s, "20,15,15,15,22,15,15,20,17,17,17,19,19,17,17,17,15,15,18,15,15,21,15,23,"
		"15,23,15,15,17,15,15,15,15,15,15,17,18,15,15,15,25,24,15,15,23,24,23,15,"
		"23,15,23,23,27,23,25,15,26,15,15,15,28,15,15,26,29,32,32,32,32");
	REQUIRE(hfds_chess_board_set_fen(&b, "r3k2r/Pppp1ppp/1b3nbN/nP6/BBP1P3/q4N2/Pp1P2PP/R2Q1RK1 w kq -", 0, NULL) == 0);
	tokens_str(&b, s);
	CHECK(strcmp(s + strlen(s) - 14, "29,31,31,32,32") == 0);
}

static void test_san_leniency(void)
{
	hfds_chess_board b;
	hfds_chess_move m;
	char fen[128], uci[8];
	hfds_error err;
	/* 0-0 with zeros, UCI moves, glued glyphs, check suffixes, null moves */
	REQUIRE(play(&b, "e2e4 e7e5 g1f3 Nb8c6 Bc4!? Bc5?! 0-0 d6+ -- Z0 Ng5# a6!!") == 0);
	hfds_chess_board_fen(&b, fen, sizeof(fen));
	CHECK_EQ_STR(fen, "r1bqk1nr/1pp2ppp/p1np4/2b1p1N1/2B1P3/8/PPPP1PPP/RNBQ1RK1 w kq - 0 7");
	/* promotions: with and without '=', lower-case piece, UCI */
	REQUIRE(hfds_chess_board_set_fen(&b, "8/1P4k1/8/8/8/8/6K1/8 w - - 0 1", 0, NULL) == 0);
	CHECK_EQ_INT(hfds_chess_parse_move(&m, &b, "b8=Q", 4, NULL), 0);
	CHECK_EQ_INT(HFDS_CHESS_MOVE_PROMO(m), HFDS_CHESS_QUEEN);
	CHECK_EQ_INT(hfds_chess_parse_move(&m, &b, "b8N", 3, NULL), 0);
	CHECK_EQ_INT(HFDS_CHESS_MOVE_PROMO(m), HFDS_CHESS_KNIGHT);
	CHECK_EQ_INT(hfds_chess_parse_move(&m, &b, "b8=r+", 5, NULL), 0);
	CHECK_EQ_INT(HFDS_CHESS_MOVE_PROMO(m), HFDS_CHESS_ROOK);
	CHECK_EQ_INT(hfds_chess_parse_move(&m, &b, "b7b8b", 5, NULL), 0);
	CHECK_EQ_INT(HFDS_CHESS_MOVE_PROMO(m), HFDS_CHESS_BISHOP);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_chess_parse_move(&m, &b, "b8", 2, &err), HFDS_EPARSE);
	CHECK(strstr(err.message, "illegal san 'b8'") != NULL);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_chess_parse_move(&m, &b, "b7b8", 4, &err), HFDS_EPARSE);
	CHECK(strstr(err.message, "missing promotion piece type") != NULL);
	/* ambiguity, pawn captures need the file, invalid text */
	REQUIRE(hfds_chess_board_set_fen(&b, "4k3/8/8/3p4/8/2N3N1/8/4K3 w - - 0 1", 0, NULL) == 0);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_chess_parse_move(&m, &b, "Ne4", 3, &err), HFDS_EPARSE);
	CHECK(strstr(err.message, "ambiguous san") != NULL);
	CHECK_EQ_INT(hfds_chess_parse_move(&m, &b, "Nce4", 4, NULL), 0);
	CHECK_EQ_INT(HFDS_CHESS_MOVE_FROM(m), 18);
	CHECK_EQ_INT(hfds_chess_parse_move(&m, &b, "Ngxe4", 5, NULL), 0);
	CHECK_EQ_INT(HFDS_CHESS_MOVE_FROM(m), 22);
	CHECK_EQ_INT(hfds_chess_parse_move(&m, &b, "Nf9", 3, NULL), HFDS_EPARSE);
	CHECK_EQ_INT(hfds_chess_parse_move(&m, &b, "xyz", 3, NULL), HFDS_EPARSE);
	REQUIRE(hfds_chess_board_set_fen(&b, "4k3/8/8/3p4/4P3/8/8/4K3 w - - 0 1", 0, NULL) == 0);
	CHECK_EQ_INT(hfds_chess_parse_move(&m, &b, "xd5", 3, NULL), HFDS_EPARSE);
	CHECK_EQ_INT(hfds_chess_parse_move(&m, &b, "exd5", 4, NULL), 0);
	CHECK_EQ_INT(hfds_chess_parse_move(&m, &b, "ed5", 3, NULL), 0);
	/* en passant by SAN and its UCI; castling UCI in standard notation */
	REQUIRE(play(&b, "e4 a6 e5 d5 exd6") == 0);
	CHECK(b.squares[35] == 0 && b.squares[43] == 1);
	REQUIRE(play(&b, "e4 e5 Nf3 Nc6 Bc4 Nf6 e1g1") == 0);
	CHECK_EQ_INT(b.squares[6], 6);
	CHECK_EQ_INT(b.squares[5], 4);
	REQUIRE(play(&b, "e4 e5 Nf3 Nc6 Bc4 Nf6") == 0);
	REQUIRE(hfds_chess_parse_move(&m, &b, "O-O", 3, NULL) == 0);
	hfds_chess_move_uci(&b, m, uci);
	CHECK_EQ_STR(uci, "e1g1");
	/* castling rights are cleaned when a rook is captured on its corner */
	REQUIRE(play(&b, "g3 b6 Bg2 Bb7 Bxb7 e6 Bxa8") == 0);
	CHECK_EQ_INT(hfds_chess_has_castling(&b, 1, 0), 0);
	CHECK_EQ_INT(hfds_chess_has_castling(&b, 1, 1), 1);
}

static void test_python_random(void)
{
	hfds_chess_pyrandom r;
	hfds_chess_pyrandom_seed(&r, 42);
	CHECK(hfds_chess_pyrandom_random(&r) == 0.6394267984578837);
	CHECK(hfds_chess_pyrandom_random(&r) == 0.025010755222666936);
	CHECK(hfds_chess_pyrandom_random(&r) == 0.27502931836911926);
	/* random.seed(0).random() and random.seed(2**40 + 5) take other init_by_array keys */
	hfds_chess_pyrandom_seed(&r, 0);
	CHECK(hfds_chess_pyrandom_random(&r) == 0.8444218515250481);
}

typedef struct trace {
	char lines[64][512];
	int n;
	uint64_t fnv;
} trace;

static int on_pos(void *ctx, const hfds_chess_position *pos, hfds_error *err)
{
	trace *t = ctx;
	int8_t tok[69];
	char fen[128];
	int i;
	hfds_chess_encode(pos->board, tok);
	for (i = 0; i < 69; i++) {
		t->fnv ^= (uint8_t)tok[i];
		t->fnv *= 0x100000001b3ULL;
	}
	if (t->n < 64) {
		hfds_chess_board_fen(pos->board, fen, sizeof(fen));
		snprintf(t->lines[t->n], sizeof(t->lines[0]), "parsed_game=%llu\tply_index=%u\t%s",
			(unsigned long long)pos->game, pos->ply - 1, fen);
	}
	t->n++;
	return 0;
}

static void test_golden_trace(void)
{
	static trace t;
	hfds_chess_sample_opts o;
	char *paths[] = {(char *)test_shared("testdata/pgn/lichess/lichess_db_1000k.pgn")};
	FILE *f = fopen(test_shared("golden/chesspos_seed42_lichess_db_1000k.tsv"), "r");
	char line[2048];
	int k = 0;
	REQUIRE(f != NULL);
	hfds_chess_sample_opts_init(&o);
	o.sampler = HFDS_CHESS_SAMPLER_CHESSPOS_V1;
	o.seed = 42;
	memset(&t, 0, sizeof(t));
	t.fnv = 0xcbf29ce484222325ULL;
	REQUIRE(hfds_chess_sample(paths, 1, &o, on_pos, &t, NULL, NULL, NULL) == 0);
	CHECK_EQ_INT(t.n, 55);
	CHECK(t.fnv == 0x83251de0f7c579c5ULL);
	while (fgets(line, sizeof(line), f)) {
		char *c[8];
		int i;
		char want[512];
		if (line[0] == '#')
			continue;
		line[strcspn(line, "\n")] = 0;
		c[0] = strtok(line, "\t");
		for (i = 1; i < 7; i++)
			c[i] = strtok(NULL, "\t");
		REQUIRE(c[5] != NULL);
		snprintf(want, sizeof(want), "%s\t%s\t%s", c[2], c[3], c[5]);
		if (k < t.n)
			CHECK_EQ_STR(t.lines[k], want);
		k++;
	}
	fclose(f);
	CHECK_EQ_INT(k, 55);
}

typedef struct collect {
	uint64_t games[4096];
	uint32_t plies[4096];
	int n;
} collect;

static int on_collect(void *ctx, const hfds_chess_position *pos, hfds_error *err)
{
	collect *c = ctx;
	if (c->n < 4096) {
		c->games[c->n] = pos->game;
		c->plies[c->n] = pos->ply;
	}
	c->n++;
	return 0;
}

static void test_ply_curve(void)
{
	static collect a, b;
	hfds_chess_sample_opts o;
	hfds_chess_stats st;
	char *paths[] = {(char *)test_shared("testdata/pgn/lichess/lichess_db_100k.pgn")};
	int i;
	hfds_chess_sample_opts_init(&o);
	o.seed = 7;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	REQUIRE(hfds_chess_sample(paths, 1, &o, on_collect, &a, NULL, &st, NULL) == 0);
	REQUIRE(hfds_chess_sample(paths, 1, &o, on_collect, &b, NULL, NULL, NULL) == 0);
	CHECK_EQ_INT(st.games, 47);
	CHECK(a.n > 0 && a.n == b.n);
	CHECK(memcmp(a.games, b.games, sizeof(a.games)) == 0);
	for (i = 0; i < a.n && i < 4096; i++)
		CHECK(a.plies[i] >= 1);
	/* min/max ply honoured */
	o.min_ply = 40;
	o.max_ply = 50;
	memset(&b, 0, sizeof(b));
	REQUIRE(hfds_chess_sample(paths, 1, &o, on_collect, &b, NULL, NULL, NULL) == 0);
	CHECK(b.n > 0);
	for (i = 0; i < b.n && i < 4096; i++)
		CHECK(b.plies[i] >= 40 && b.plies[i] <= 50);
	/* a different seed samples differently */
	o.min_ply = o.max_ply = 0;
	o.seed = 8;
	memset(&b, 0, sizeof(b));
	REQUIRE(hfds_chess_sample(paths, 1, &o, on_collect, &b, NULL, NULL, NULL) == 0);
	CHECK(b.n != a.n || memcmp(a.plies, b.plies, sizeof(a.plies)) != 0);
	/* all: every mainline position, start included */
	o.sampler = HFDS_CHESS_SAMPLER_ALL;
	memset(&b, 0, sizeof(b));
	REQUIRE(hfds_chess_sample(paths, 1, &o, on_collect, &b, NULL, &st, NULL) == 0);
	CHECK_EQ_INT(b.n, (int)(st.plies + st.games_replayed));
	CHECK_EQ_INT(b.plies[0], 0);
}

int main(void)
{
	RUN(test_golden_vectors);
	RUN(test_san_leniency);
	RUN(test_python_random);
	RUN(test_golden_trace);
	RUN(test_ply_curve);
	TEST_END();
}
