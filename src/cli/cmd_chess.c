/* `hfds chess replay|sample|npz`: chess positions from PGN archives. */
#include "cli.h"
#include "hfds/chess.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int cmd_chess_npz(int argc, char **argv);
int cmd_chess_push(int argc, char **argv);

static const char *usage_text =
	"usage: hfds chess replay FILE [--format fen|tokens|none]\n"
	"       hfds chess sample PATH... [--sampler ply-curve|chesspos-v1|all] [--seed N]\n"
	"                         [--format fen|tokens|none] [--min-elo X] [--subsample X]\n"
	"                         [--min-ply N] [--max-ply N] [--recursive] [--quiet]\n"
	"       hfds chess npz --data-path PATH... --out DIR [--chunk-size N] [--train-ratio R]\n"
	"                      [--sampler S] [--seed N] [--recursive]\n"
	"       hfds chess push --repo REPO --data-path PATH... [--batches N] [--batch-size N] ...\n"
	"                      (see hfds chess push --help)\n"
	"       hfds chess perft FEN|startpos DEPTH [--chess960]\n"
	"\n"
	"replay prints every mainline position of every game as game<TAB>ply<TAB>value\n"
	"(ply 0 = the start position); sample prints the positions a push would emit.\n"
	"PATH may be a file (.pgn, .pgn.zst, .pgn.gz, .pgn.bz2), a directory, or - for stdin.\n"
	"Bad moves truncate their game and are reported on stderr; they never stop the run.\n";

static char outbuf[1 << 20];

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void print_value(const hfds_chess_board *b, int tokens)
{
	if (tokens > 0) {
		int8_t t[HFDS_CHESS_TOKENS];
		char line[HFDS_CHESS_TOKENS * 3 + 2];
		size_t n = 0;
		int i;
		hfds_chess_encode(b, t);
		for (i = 0; i < HFDS_CHESS_TOKENS; i++) {
			line[n++] = (char)('0' + t[i] / 10);
			line[n++] = (char)('0' + t[i] % 10);
			line[n++] = i + 1 < HFDS_CHESS_TOKENS ? ',' : '\n';
		}
		fwrite(line, 1, n, stdout);
	} else if (tokens == 0) {
		char fen[128];
		size_t n = hfds_chess_board_fen(b, fen, sizeof(fen));
		fen[n] = '\n';
		fwrite(fen, 1, n + 1, stdout);
	}
}

static int parse_format(const char *s, int *tokens)
{
	if (!strcmp(s, "fen"))
		*tokens = 0;
	else if (!strcmp(s, "tokens"))
		*tokens = 1;
	else if (!strcmp(s, "none"))
		*tokens = -1; /* count only (benchmarks) */
	else
		return -1;
	return 0;
}

static int replay(int argc, char **argv)
{
	const char *path = NULL;
	int tokens = 0, i, rc, bad = 0, skipped = 0;
	hfds_chess_input *in = NULL;
	hfds_pgn_reader *rd = NULL;
	hfds_pgn_game *g;
	hfds_error err;
	hfds_error_init(&err);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--format") && i + 1 < argc) {
			if (parse_format(argv[++i], &tokens) < 0)
				return cli_usage_error("chess replay", "--format: expected fen or tokens, got '%s'", argv[i]);
		} else if (!strcmp(argv[i], "--help")) {
			fputs(usage_text, stdout);
			return CLI_EXIT_OK;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return cli_usage_error("chess replay", "unknown option '%s'", argv[i]);
		} else if (!path) {
			path = argv[i];
		} else {
			return cli_usage_error("chess replay", "expected one FILE");
		}
	}
	if (!path)
		return cli_usage_error("chess replay", "missing FILE");
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	if ((rc = hfds_chess_input_open(&in, path, &err)) < 0 ||
	    (rc = hfds_pgn_reader_new(&rd, path, hfds_chess_input_read, in, &err)) < 0)
		goto fail;
	while ((rc = hfds_pgn_next(rd, &g, &err)) == 0) {
		hfds_chess_board b;
		size_t k;
		if (g->skip != HFDS_PGN_PLAYABLE) {
			cli_eprintf("%s:%llu: game %llu skipped (%s)\n", path, (unsigned long long)g->line,
				(unsigned long long)g->index, g->skip == HFDS_PGN_SKIP_VARIANT ? "variant" : "setup position");
			skipped++;
			continue;
		}
		if ((rc = hfds_pgn_read_moves(rd, g, &err)) < 0)
			goto fail;
		hfds_chess_board_init(&b);
		for (k = 0; tokens >= 0 && k <= g->nmoves; k++) {
			if (k)
				hfds_chess_board_push(&b, g->moves[k - 1]);
			printf("%llu\t%zu\t", (unsigned long long)g->index, k);
			print_value(&b, tokens);
		}
		if (g->has_problem) {
			fflush(stdout);
			cli_eprintf("%s\n", g->problem);
			bad++;
		}
	}
	if (rc != HFDS_ITEROVER)
		goto fail;
	fflush(stdout);
	hfds_pgn_reader_free(rd);
	hfds_chess_input_close(in);
	if (bad || skipped)
		fprintf(stderr, "hfds chess replay: %d bad game(s), %d skipped game(s)\n", bad, skipped);
	return CLI_EXIT_OK;
fail:
	fflush(stdout);
	hfds_pgn_reader_free(rd);
	hfds_chess_input_close(in);
	return cli_fail(&err);
}

typedef struct sample_ctx {
	int tokens;
	int progress;
	double t0;
} sample_ctx;

static int on_position(void *ctx, const hfds_chess_position *pos, hfds_error *err)
{
	sample_ctx *c = ctx;
	if (c->tokens < 0)
		return 0;
	printf("%llu\t%u\t", (unsigned long long)pos->game, pos->ply);
	print_value(pos->board, c->tokens);
	return 0;
}

static void on_problem(void *ctx, const char *msg)
{
	cli_eprintf("%s\n", msg);
}

static void on_progress(void *ctx, const hfds_chess_stats *st)
{
	sample_ctx *c = ctx;
	double dt = now_s() - c->t0;
	if (c->progress)
		fprintf(stderr, "\r%llu games (%.0f games/s), %llu positions, %.1f MB",
			(unsigned long long)st->games, dt > 0 ? st->games / dt : 0.0,
			(unsigned long long)st->positions, st->bytes / 1e6);
}

/* Shared option parsing for sample and npz; returns -1 (after printing) on a usage error. */
int hfds_cli_chess_sample_opt(const char *cmd, int argc, char **argv, int *i, hfds_chess_sample_opts *o,
	int *recursive);
int hfds_cli_chess_sample_opt(const char *cmd, int argc, char **argv, int *i, hfds_chess_sample_opts *o,
	int *recursive)
{
	const char *a = argv[*i];
	long long n;
	if (!strcmp(a, "--recursive")) {
		*recursive = 1;
		return 1;
	}
	if (*i + 1 >= argc)
		return 0;
	if (!strcmp(a, "--sampler")) {
		int k = hfds_chess_sampler_from_name(argv[++*i]);
		if (k < 0)
			return cli_usage_error(cmd, "--sampler: expected ply-curve, chesspos-v1 or all"), -1;
		o->sampler = k;
	} else if (!strcmp(a, "--seed")) {
		if (cli_int(cmd, a, argv[++*i], 0, LLONG_MAX, &n) != CLI_EXIT_OK)
			return -1;
		o->seed = (uint64_t)n;
	} else if (!strcmp(a, "--min-elo") || !strcmp(a, "--subsample")) {
		double v;
		int sub = !strcmp(a, "--subsample");
		if (cli_real(cmd, a, argv[++*i], 0, sub, sub ? 1 : 10000, 0, &v) != CLI_EXIT_OK)
			return -1;
		if (!sub)
			o->min_elo = v;
		else
			o->subsample = v;
	} else if (!strcmp(a, "--min-ply") || !strcmp(a, "--max-ply")) {
		if (cli_int(cmd, a, argv[++*i], 0, 100000, &n) != CLI_EXIT_OK)
			return -1;
		if (!strcmp(a, "--min-ply"))
			o->min_ply = (int)n;
		else
			o->max_ply = (int)n;
	} else {
		return 0;
	}
	return 1;
}

static int sample(int argc, char **argv)
{
	hfds_chess_sample_opts o;
	hfds_chess_stats st;
	hfds_chess_run_hooks hooks;
	sample_ctx c;
	char **inputs, **paths = NULL;
	size_t ninputs = 0, npaths = 0;
	int i, rc, recursive = 0, quiet = 0;
	hfds_error err;
	hfds_error_init(&err);
	hfds_chess_sample_opts_init(&o);
	memset(&c, 0, sizeof(c));
	inputs = calloc((size_t)argc + 1, sizeof(char *));
	if (!inputs)
		return CLI_EXIT_ERROR;
	for (i = 1; i < argc; i++) {
		int k = hfds_cli_chess_sample_opt("chess sample", argc, argv, &i, &o, &recursive);
		if (k < 0) {
			free(inputs);
			return CLI_EXIT_USAGE;
		}
		if (k)
			continue;
		if (!strcmp(argv[i], "--format") && i + 1 < argc) {
			if (parse_format(argv[++i], &c.tokens) < 0) {
				free(inputs);
				return cli_usage_error("chess sample", "--format: expected fen or tokens");
			}
		} else if (!strcmp(argv[i], "--quiet")) {
			quiet = 1;
		} else if (!strcmp(argv[i], "--help")) {
			free(inputs);
			fputs(usage_text, stdout);
			return CLI_EXIT_OK;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			free(inputs);
			return cli_usage_error("chess sample", "unknown option '%s'", argv[i]);
		} else {
			inputs[ninputs++] = argv[i];
		}
	}
	if (!ninputs) {
		free(inputs);
		return cli_usage_error("chess sample", "missing PATH");
	}
	rc = hfds_chess_expand_paths(&paths, &npaths, inputs, ninputs, recursive, &err);
	free(inputs);
	if (rc < 0)
		return cli_fail(&err);
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	c.t0 = now_s();
	c.progress = !quiet && isatty(STDERR_FILENO);
	hooks.problem = quiet ? NULL : on_problem;
	hooks.progress = on_progress;
	hooks.ctx = &c;
	rc = hfds_chess_sample(paths, npaths, &o, on_position, &c, &hooks, &st, &err);
	fflush(stdout);
	hfds_chess_paths_free(paths);
	if (c.progress)
		fputc('\n', stderr);
	if (rc < 0)
		return cli_fail(&err);
	if (!quiet)
		fprintf(stderr,
			"hfds chess sample: %llu games, %llu replayed, %llu positions, %llu bad, "
			"%llu variant skipped, %llu setup skipped, %llu Elo defaulted (%.2f s)\n",
			(unsigned long long)st.games, (unsigned long long)st.games_replayed,
			(unsigned long long)st.positions, (unsigned long long)st.bad_games,
			(unsigned long long)st.skipped_variant, (unsigned long long)st.skipped_setup,
			(unsigned long long)st.elo_defaulted, now_s() - c.t0);
	return CLI_EXIT_OK;
}

/* `hfds chess perft FEN DEPTH [--chess960]`: leaf count of the legal move tree (benchmarks). */
static int perft(int argc, char **argv)
{
	hfds_chess_board b;
	hfds_error err;
	const char *fen = NULL, *depth_s = NULL;
	int i, rc, chess960 = 0;
	long long depth;
	double t0;
	uint64_t n;
	hfds_error_init(&err);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--chess960"))
			chess960 = 1;
		else if (!fen)
			fen = argv[i];
		else if (!depth_s)
			depth_s = argv[i];
		else
			return cli_usage_error("chess perft", "unexpected argument '%s'", argv[i]);
	}
	if (!fen || !depth_s)
		return cli_usage_error("chess perft", "usage: hfds chess perft FEN DEPTH [--chess960]");
	if ((rc = cli_int("chess perft", "DEPTH", depth_s, 0, 12, &depth)) != CLI_EXIT_OK)
		return rc;
	if (!strcmp(fen, "startpos"))
		fen = "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1";
	if (hfds_chess_board_set_fen(&b, fen, chess960, &err) < 0)
		return cli_fail(&err);
	t0 = now_s();
	n = hfds_chess_perft(&b, (int)depth);
	printf("%llu\n", (unsigned long long)n);
	fprintf(stderr, "perft %lld: %llu nodes in %.3f s (%.1f M leaves/s)\n", depth, (unsigned long long)n,
		now_s() - t0, n / (now_s() - t0 + 1e-9) / 1e6);
	return CLI_EXIT_OK;
}

int cmd_chess(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage_text, argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	}
	if (!strcmp(argv[1], "replay"))
		return replay(argc - 1, argv + 1);
	if (!strcmp(argv[1], "sample"))
		return sample(argc - 1, argv + 1);
	if (!strcmp(argv[1], "npz"))
		return cmd_chess_npz(argc - 1, argv + 1);
	if (!strcmp(argv[1], "push"))
		return cmd_chess_push(argc - 1, argv + 1);
	if (!strcmp(argv[1], "perft"))
		return perft(argc - 1, argv + 1);
	return cli_usage_error("chess", "unknown subcommand '%s'", argv[1]);
}
