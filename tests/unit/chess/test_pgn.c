/* PGN reader: each edge-case file's documented outcome, stream features, bounded inputs. */
#include "test.h"
#include "hfds/chess.h"

typedef struct outcome {
	int games, positions, problems, skipped, truncated;
} outcome;

typedef struct memsrc {
	const char *data;
	size_t len, pos, chunk;
} memsrc;

static ptrdiff_t mem_read(void *ctx, void *buf, size_t cap, hfds_error *err)
{
	memsrc *m = ctx;
	size_t n = m->len - m->pos;
	if (n > cap)
		n = cap;
	if (m->chunk && n > m->chunk)
		n = m->chunk;
	memcpy(buf, m->data + m->pos, n);
	m->pos += n;
	return (ptrdiff_t)n;
}

static int run_reader(hfds_pgn_reader *r, outcome *o, char *problems, size_t cap)
{
	hfds_pgn_game *g;
	int rc;
	memset(o, 0, sizeof(*o));
	if (problems)
		problems[0] = 0;
	while ((rc = hfds_pgn_next(r, &g, NULL)) == 0) {
		o->games++;
		if (g->skip) {
			o->skipped++;
			continue;
		}
		if (hfds_pgn_read_moves(r, g, NULL) != 0)
			return -1;
		o->positions += (int)g->nmoves + 1;
		o->truncated += g->truncated;
		if (g->has_problem) {
			o->problems++;
			if (problems && strlen(problems) + strlen(g->problem) + 2 < cap) {
				strcat(problems, g->problem);
				strcat(problems, "\n");
			}
		}
	}
	return rc == HFDS_ITEROVER ? 0 : rc;
}

static int run_file(const char *path, outcome *o, char *problems, size_t cap)
{
	hfds_chess_input *in = NULL;
	hfds_pgn_reader *r = NULL;
	int rc = hfds_chess_input_open(&in, path, NULL);
	if (rc == 0)
		rc = hfds_pgn_reader_new(&r, path, hfds_chess_input_read, in, NULL);
	if (rc == 0)
		rc = run_reader(r, o, problems, cap);
	hfds_pgn_reader_free(r);
	hfds_chess_input_close(in);
	return rc;
}

static int run_mem(const char *text, size_t chunk, outcome *o, char *problems, size_t cap)
{
	memsrc m = {text, strlen(text), 0, chunk};
	hfds_pgn_reader *r = NULL;
	int rc = hfds_pgn_reader_new(&r, "mem", mem_read, &m, NULL);
	if (rc == 0)
		rc = run_reader(r, o, problems, cap);
	hfds_pgn_reader_free(r);
	return rc;
}

/*
 * The documented outcome of every edge file (MANIFEST.md pgn/edge/): game records, positions
 * (start position included, playable games only), games truncated by a bad move, games
 * skipped (variant or set-up position), games cut off by the end of input. Notes:
 * - bad-san-mid-file: `Nf9` is reported and truncates game 1 (python-chess's tokenizer
 *   would silently drop it); draw / results-mix: the upstream fixtures contain really
 *   illegal moves (`Ke4` onto the own pawn, `Qf8` onto the own rook), reported likewise.
 * - chessdotcom-headers: two blank lines between tags and moves stay one game: 25 games,
 *   2228 moves (the upstream count), so 2253 positions.
 * - nobadresults: tags and movetext on one line: nine one-move games.
 * - setup-in: the SetUp/FEN game whose FEN is the start position is played, not skipped.
 * - test-checkmate / fencomments: a game comment followed by a blank line before the moves
 *   does not end the game.
 */
static void test_edge_files(void)
{
	static const struct { const char *name; outcome o; const char *problem; } t[] = {
		{"chessalyzer__bad-san-mid-file.pgn", {3, 35, 1, 0, 0}, ":15:4: invalid san 'Nf9'"},
		{"chessalyzer__basic-normal.pgn", {1, 26, 0, 0, 0}, NULL},
		{"chessalyzer__black-wins.pgn", {1, 5, 0, 0, 0}, NULL},
		{"chessalyzer__chessdotcom-headers.pgn", {25, 2253, 0, 0, 0}, NULL},
		{"chessalyzer__comments-multiline.pgn", {1, 27, 0, 0, 0}, NULL},
		{"chessalyzer__comments-singleline.pgn", {1, 93, 0, 0, 0}, NULL},
		{"chessalyzer__corrupt.pgn", {2, 22, 0, 0, 1}, NULL},
		{"chessalyzer__crlf-endings.pgn", {2, 8, 0, 0, 0}, NULL},
		{"chessalyzer__draw.pgn", {1, 7, 1, 0, 0}, ":4:35: illegal san 'Ke4'"},
		{"chessalyzer__en-passant.pgn", {1, 50, 0, 0, 0}, NULL},
		{"chessalyzer__lichess-headers.pgn", {1, 8, 0, 0, 0}, NULL},
		{"chessalyzer__multiple-promotions.pgn", {1, 118, 0, 0, 0}, NULL},
		{"chessalyzer__promotion.pgn", {1, 70, 0, 0, 0}, NULL},
		{"chessalyzer__results-mix.pgn", {6, 87, 2, 0, 0}, ":13:205: illegal san 'Qf8'"},
		{"chessalyzer__white-wins.pgn", {1, 8, 0, 0, 0}, NULL},
		{"pgn-extract__nested-comment.pgn", {1, 2, 0, 0, 0}, NULL},
		{"pgn-extract__test-allownullmoves.pgn", {2, 0, 0, 2, 0}, NULL},
		{"pgn-extract__test-checkmate.pgn", {2, 78, 0, 0, 0}, NULL},
		{"pgn-extract__test-fencomments-out.pgn", {1, 73, 0, 0, 0}, NULL},
		{"pgn-extract__test-fifty.pgn", {2, 513, 0, 0, 0}, NULL},
		{"pgn-extract__test-long-line.pgn", {1, 5, 0, 0, 0}, NULL},
		{"pgn-extract__test-nagcomments.pgn", {1, 2, 0, 0, 0}, NULL},
		{"pgn-extract__test-nobadresults.pgn", {9, 18, 0, 0, 0}, NULL},
		{"pgn-extract__test-promotion-in.pgn", {8, 0, 0, 8, 0}, NULL},
		{"pgn-extract__test-repetition.pgn", {12, 1097, 0, 0, 0}, NULL},
		{"pgn-extract__test-setup-in.pgn", {2, 150, 0, 0, 0}, NULL},
		{"pgn-extract__test-splitvariants.pgn", {1, 4, 0, 0, 0}, NULL},
		{"pgn-extract__test-stalemate.pgn", {3, 181, 0, 0, 0}, NULL},
		{"python-chess__anastasian-lewis.pgn", {1, 85, 0, 0, 0}, NULL},
		{"python-chess__antichess-programfox.pgn", {2, 0, 0, 2, 0}, NULL},
		{"python-chess__chessbase-empty-line.pgn", {1, 135, 0, 0, 0}, NULL},
		{"python-chess__cutechess-fischerrandom.pgn", {4, 0, 0, 4, 0}, NULL},
		{"python-chess__kasparov-deep-blue-1997.pgn", {6, 525, 0, 0, 0}, NULL},
		{"python-chess__knightvuillaume-jannlee-zh-lichess.pgn", {1, 0, 0, 1, 0}, NULL},
		{"python-chess__molinari-bordais-1979.pgn", {1, 11, 0, 0, 0}, NULL},
		{"python-chess__nepomniachtchi-liren-game1.pgn", {1, 98, 0, 0, 0}, NULL},
		{"python-chess__saturs-jannlee-zh-lichess.pgn", {1, 0, 0, 1, 0}, NULL},
		{"python-chess__stockfish-learning.pgn", {1, 155, 0, 0, 0}, NULL},
		{"python-chess__uci-moves.pgn", {1, 114, 0, 0, 0}, NULL},
		{"python-chess__utf8-bom.pgn", {2, 2, 0, 0, 0}, NULL},
	};
	size_t i;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char path[1024], probs[4096];
		outcome o;
		snprintf(path, sizeof(path), "%s/%s", test_shared("testdata/pgn/edge"), t[i].name);
		CHECK_EQ_INT(run_file(path, &o, probs, sizeof(probs)), 0);
		if (memcmp(&o, &t[i].o, sizeof(o)) != 0)
			fprintf(stderr, "%s: got {%d, %d, %d, %d, %d}\n%s", t[i].name, o.games, o.positions, o.problems,
				o.skipped, o.truncated, probs);
		CHECK(memcmp(&o, &t[i].o, sizeof(o)) == 0);
		if (t[i].problem)
			CHECK(strstr(probs, t[i].problem) != NULL);
	}
}

/* Reading only the tags (the skip path) finds the same games, with the same tags and lines. */
static void test_skip_path_same_games(void)
{
	char **paths = NULL;
	size_t n = 0, i;
	char *const in[] = {(char *)test_shared("testdata/pgn")};
	REQUIRE(hfds_chess_expand_paths(&paths, &n, in, 1, 1, NULL) == 0);
	for (i = 0; i < n; i++) {
		hfds_chess_input *ia = NULL, *ib = NULL;
		hfds_pgn_reader *a = NULL, *b = NULL;
		hfds_pgn_game *ga, *gb;
		int ra, rb;
		REQUIRE(hfds_chess_input_open(&ia, paths[i], NULL) == 0 && hfds_chess_input_open(&ib, paths[i], NULL) == 0);
		REQUIRE(hfds_pgn_reader_new(&a, "a", hfds_chess_input_read, ia, NULL) == 0);
		REQUIRE(hfds_pgn_reader_new(&b, "b", hfds_chess_input_read, ib, NULL) == 0);
		for (;;) {
			ra = hfds_pgn_next(a, &ga, NULL);
			rb = hfds_pgn_next(b, &gb, NULL);
			CHECK_EQ_INT(ra, rb);
			if (ra != 0 || rb != 0)
				break;
			CHECK_EQ_INT(ga->line, gb->line);
			CHECK_EQ_INT(ga->ntags, gb->ntags);
			if (ga->skip == HFDS_PGN_PLAYABLE)
				CHECK_EQ_INT(hfds_pgn_read_moves(a, ga, NULL), 0);
		}
		hfds_pgn_reader_free(a);
		hfds_pgn_reader_free(b);
		hfds_chess_input_close(ia);
		hfds_chess_input_close(ib);
	}
	hfds_chess_paths_free(paths);
}

static void test_lichess_and_twic(void)
{
	outcome o;
	CHECK_EQ_INT(run_file(test_shared("testdata/pgn/lichess/lichess_db_1000k.pgn"), &o, NULL, 0), 0);
	CHECK_EQ_INT(o.games, 438);
	CHECK_EQ_INT(o.problems, 0);
	CHECK_EQ_INT(o.truncated, 0);
	CHECK_EQ_INT(run_file(test_shared("testdata/pgn/lichess/twic1599_1000k.pgn"), &o, NULL, 0), 0);
	CHECK_EQ_INT(o.games, 1110);
	CHECK_EQ_INT(o.problems, 0);
}

/* Same outcome whatever the read sizes (tokens and comments split across refills). */
static void test_chunked_reads(void)
{
	static const char pgn[] =
		"\xEF\xBB\xBF[Event \"a\"]\r\n[White \"x \\\"q\\\"\"]\r\n\r\n"
		"1. e4 {a {nested} comment\r\n over lines} e5 (1... c5 (1... d5) 2. Nf3) 2. Nf3!? $1 Nc6?! ; rest\r\n"
		"% escape line\r\n3. Bb5 a6 4. Ba4 Nf6 5. 0-0 Be7 1-0\r\n\r\n"
		"[Event \"b\"]\n\n1.d4 d5 2.c4 dxc4 3.e4 b5 4.a4 c6 5.axb5 cxb5 6.Qf3 *\n";
	size_t chunks[] = {0, 1, 2, 3, 7, 64};
	size_t i;
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		outcome o;
		char probs[1024];
		CHECK_EQ_INT(run_mem(pgn, chunks[i], &o, probs, sizeof(probs)), 0);
		CHECK_EQ_INT(o.games, 2);
		CHECK_EQ_INT(o.positions, 11 + 12);
		CHECK_EQ_INT(o.problems, 0);
	}
}

static void test_tags_and_skip(void)
{
	static const char pgn[] =
		"[Event \"Rated\"]\n[WhiteElo \"2100\"]\n[Variant \"Standard\"]\n\n1. e4 e5 1-0\n\n"
		"[Event \"zh\"]\n[Variant \"Crazyhouse\"]\n\n1. e4 e5 2. N@f3 *\n\n"
		"[Event \"fen\"]\n[FEN \"8/8/8/8/8/8/8/K6k w - - 0 1\"]\n[SetUp \"1\"]\n\n1. Kb1 *\n\n"
		"[Event \"last\"]\n\n1. d4 d5\n";
	memsrc m = {pgn, sizeof(pgn) - 1, 0, 0};
	hfds_pgn_reader *r = NULL;
	hfds_pgn_game *g;
	REQUIRE(hfds_pgn_reader_new(&r, "mem", mem_read, &m, NULL) == 0);
	REQUIRE(hfds_pgn_next(r, &g, NULL) == 0);
	CHECK_EQ_STR(hfds_pgn_tag_get(g, "WhiteElo"), "2100");
	CHECK_EQ_INT(g->skip, HFDS_PGN_PLAYABLE);
	CHECK_EQ_INT(g->line, 1);
	/* not reading the moves: the next call skips them */
	REQUIRE(hfds_pgn_next(r, &g, NULL) == 0);
	CHECK_EQ_INT(g->skip, HFDS_PGN_SKIP_VARIANT);
	CHECK_EQ_INT(g->index, 1);
	REQUIRE(hfds_pgn_next(r, &g, NULL) == 0);
	CHECK_EQ_INT(g->skip, HFDS_PGN_SKIP_SETUP);
	REQUIRE(hfds_pgn_next(r, &g, NULL) == 0);
	CHECK_EQ_STR(hfds_pgn_tag_get(g, "Event"), "last");
	REQUIRE(hfds_pgn_read_moves(r, g, NULL) == 0);
	CHECK_EQ_INT(g->nmoves, 2);
	CHECK_EQ_INT(g->truncated, 1);
	CHECK(g->result == NULL);
	CHECK_EQ_INT(hfds_pgn_next(r, &g, NULL), HFDS_ITEROVER);
	CHECK_EQ_INT(hfds_pgn_next(r, &g, NULL), HFDS_ITEROVER);
	hfds_pgn_reader_free(r);
}

static void test_bad_move_keeps_prefix(void)
{
	static const char pgn[] = "[Event \"x\"]\n\n1. e4 e5 2. Nf3 Nc6\n3. Bb5 Ke6?? 4. Bxc6 dxc6 1-0\n\n1. d4 *\n";
	outcome o;
	char probs[1024];
	CHECK_EQ_INT(run_mem(pgn, 0, &o, probs, sizeof(probs)), 0);
	CHECK_EQ_INT(o.games, 2);
	CHECK_EQ_INT(o.positions, 6 + 2);
	CHECK_EQ_INT(o.problems, 1);
	CHECK(strstr(probs, "mem:4:8: illegal san 'Ke6?" "?'") != NULL);
}

static void test_long_line_bounded(void)
{
	/* a 3 MiB line: its game is truncated before it (the chunks are only scanned for
	 * structure), and the reader moves on to the next game */
	size_t n = 3u << 20, i;
	char *big = malloc(n + 64);
	outcome o;
	char probs[1024];
	REQUIRE(big != NULL);
	strcpy(big, "1. e4 ");
	for (i = 6; i < n; i++)
		big[i] = (i % 7) ? 'x' : ' ';
	strcpy(big + n, "\n\n1. d4 d5 *\n");
	CHECK_EQ_INT(run_mem(big, 0, &o, probs, sizeof(probs)), 0);
	CHECK_EQ_INT(o.games, 2);
	CHECK_EQ_INT(o.problems, 1);
	CHECK_EQ_INT(o.positions, 1 + 3);
	free(big);
}

static void test_input_formats(void)
{
	/* the same games through gzip, zstd and bzip2 files made by the system tools */
	const char *dir = test_tmpdir();
	const char *src = test_shared("testdata/pgn/lichess/lichess_db_10k.pgn");
	static const char *tools[][2] = {{"gzip -c", "gz"}, {"zstd -q -c", "zst"}, {"bzip2 -c", "bz2"}};
	outcome ref, o;
	size_t i;
	REQUIRE(run_file(src, &ref, NULL, 0) == 0);
	CHECK_EQ_INT(ref.games, 5);
	for (i = 0; i < 3; i++) {
		char cmd[4096], path[2048];
		snprintf(path, sizeof(path), "%s/g.pgn.%s", dir, tools[i][1]);
		snprintf(cmd, sizeof(cmd), "%s '%s' > '%s'", tools[i][0], src, path);
		if (system(cmd) != 0) {
			fprintf(stderr, "skipping %s: tool missing\n", tools[i][1]);
			continue;
		}
		CHECK_EQ_INT(run_file(path, &o, NULL, 0), 0);
		CHECK(memcmp(&o, &ref, sizeof(o)) == 0);
	}
}

static void test_expand_paths(void)
{
	char **paths = NULL;
	size_t n = 0, i;
	char *const in[] = {(char *)test_shared("testdata/pgn")};
	REQUIRE(hfds_chess_expand_paths(&paths, &n, in, 1, 0, NULL) == 0);
	CHECK_EQ_INT(n, 0);
	hfds_chess_paths_free(paths);
	REQUIRE(hfds_chess_expand_paths(&paths, &n, in, 1, 1, NULL) == 0);
	CHECK_EQ_INT(n, 46);
	for (i = 1; i < n; i++)
		CHECK(strcmp(paths[i - 1], paths[i]) < 0);
	CHECK(strstr(paths[0], "edge/chessalyzer__bad-san-mid-file.pgn") != NULL);
	hfds_chess_paths_free(paths);
}

int main(void)
{
	RUN(test_edge_files);
	RUN(test_skip_path_same_games);
	RUN(test_lichess_and_twic);
	RUN(test_chunked_reads);
	RUN(test_tags_and_skip);
	RUN(test_bad_move_keeps_prefix);
	RUN(test_long_line_bounded);
	RUN(test_input_formats);
	RUN(test_expand_paths);
	TEST_END();
}
