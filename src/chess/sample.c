/*
 * The sampling drivers over a list of PGN sources.
 *
 * chesspos-v1 is the original extract_board, quirks included: each tag section draws one
 * random() against a logistic gate on min(WhiteElo, BlackElo) (centre 2000, slope 0.005);
 * on acceptance the *next* game is parsed (the read_headers/read_game offset) and after its
 * move i (0-based) a position is kept when random() < min(i / 900, 1) * 0.33 (the source's
 * `i/30.0**2`). One MT19937 stream runs across all inputs. Deviations, for robustness:
 * missing/empty/malformed Elo counts as 1500 (the original crashes) and games with a
 * Variant or a non-standard FEN yield no positions (the original replays them on a standard
 * board, producing garbage); their gate draw is still made so the stream stays in step.
 *
 * ply-curve gates each game on its own Elo and keeps ply p (half-moves played) with
 * min((p/30)^2, 1) * subsample; every draw comes from hfds_chess_keyed_random(seed, file
 * index, game index in file, n) with n = 0 for the gate and n = p for ply p, so the result
 * does not depend on how games are scheduled.
 */
#include "hfds/chess.h"
#include "chess/chess_int.h"
#include "util/alloc.h"
#include "util/try.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hfds_chess_sample_opts_init(hfds_chess_sample_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->version = HFDS_CHESS_SAMPLE_OPTS_VERSION;
	o->sampler = HFDS_CHESS_SAMPLER_PLY_CURVE;
	o->min_elo = 2000;
	o->elo_slope = 0.005;
	o->subsample = 0.33;
}

int hfds_chess_sampler_from_name(const char *name)
{
	if (!strcmp(name, "ply-curve"))
		return HFDS_CHESS_SAMPLER_PLY_CURVE;
	if (!strcmp(name, "chesspos-v1"))
		return HFDS_CHESS_SAMPLER_CHESSPOS_V1;
	if (!strcmp(name, "all"))
		return HFDS_CHESS_SAMPLER_ALL;
	return -1;
}

/* int() of a tag value; "?" is 1500 (the original's rule); anything else unusable -> -1. */
static int elo_value(const char *v, int *out)
{
	char *end;
	long x;
	if (!v)
		return -1;
	if (!strcmp(v, "?")) {
		*out = 1500;
		return 0;
	}
	x = strtol(v, &end, 10);
	while (*end == ' ' || *end == '\t')
		end++;
	if (end == v || *end || x < -1000000 || x > 1000000)
		return -1;
	*out = (int)x;
	return 0;
}

static int min_elo(const hfds_pgn_game *g, hfds_chess_stats *st)
{
	const char *wv = NULL, *bv = NULL;
	int w, b, bad = 0;
	size_t i;
	for (i = 0; i < g->ntags; i++) {
		const char *k = g->tags[i].key;
		if (k[0] == 'W' && !wv && !strcmp(k, "WhiteElo"))
			wv = g->tags[i].value;
		else if (k[0] == 'B' && !bv && !strcmp(k, "BlackElo"))
			bv = g->tags[i].value;
	}
	if (elo_value(wv, &w) < 0) {
		w = 1500;
		bad = 1;
	}
	if (elo_value(bv, &b) < 0) {
		b = 1500;
		bad = 1;
	}
	st->elo_defaulted += (uint64_t)bad;
	return w < b ? w : b;
}

typedef struct run {
	const hfds_chess_sample_opts *o;
	hfds_chess_position_fn fn;
	void *ctx;
	const hfds_chess_run_hooks *hooks;
	hfds_chess_stats *st;
	hfds_chess_pyrandom py;
	const char *file;
	uint64_t file_index, base, bytes_done;
} run;

static int emit(run *R, const hfds_pgn_game *g, const hfds_chess_board *b, uint32_t ply, hfds_error *err)
{
	hfds_chess_position pos;
	pos.game = R->base + g->index;
	pos.ply = ply;
	pos.board = b;
	pos.pgn = g;
	pos.file = R->file;
	R->st->positions++;
	return R->fn(R->ctx, &pos, err);
}

static void report(run *R, const hfds_pgn_game *g)
{
	char msg[320];
	if (g->has_problem) {
		R->st->bad_games++;
		if (R->hooks && R->hooks->problem)
			R->hooks->problem(R->hooks->ctx, g->problem);
	} else if (g->truncated && R->hooks && R->hooks->problem) {
		snprintf(msg, sizeof(msg), "%.200s:%llu: game %llu truncated at end of input (no result)", R->file,
			(unsigned long long)g->line, (unsigned long long)(R->base + g->index));
		R->hooks->problem(R->hooks->ctx, msg);
	}
}

static int playable(run *R, const hfds_pgn_game *g)
{
	if (g->skip == HFDS_PGN_SKIP_VARIANT)
		R->st->skipped_variant++;
	else if (g->skip == HFDS_PGN_SKIP_SETUP)
		R->st->skipped_setup++;
	return g->skip == HFDS_PGN_PLAYABLE;
}

static int one_game(run *R, hfds_pgn_reader *rd, hfds_pgn_game *g, hfds_error *err)
{
	const hfds_chess_sample_opts *o = R->o;
	hfds_chess_board b;
	size_t i;
	int rc = 0;
	hfds_chess_board_init(&b);
	if (o->sampler == HFDS_CHESS_SAMPLER_CHESSPOS_V1) {
		int m = min_elo(g, R->st);
		double p = 1.0 / (1.0 + exp(-0.005 * (double)(m - 2000)));
		if (!(hfds_chess_pyrandom_random(&R->py) < p))
			return 0;
		rc = hfds_pgn_next(rd, &g, err);
		if (rc == HFDS_ITEROVER)
			return 0; /* "Game is None?!" */
		if (rc < 0)
			return rc;
		R->st->games++;
		if (!playable(R, g))
			return 0;
		HFDS_TRY(hfds_pgn_read_moves(rd, g, err));
		R->st->games_replayed++;
		report(R, g);
		for (i = 0; i < g->nmoves; i++) {
			double q = (double)i / 900.0;
			hfds_chess_board_push(&b, g->moves[i]);
			R->st->plies++;
			if (hfds_chess_pyrandom_random(&R->py) < (q < 1.0 ? q : 1.0) * 0.33)
				HFDS_TRY(emit(R, g, &b, (uint32_t)(i + 1), err));
		}
		return 0;
	}
	if (!playable(R, g))
		return 0;
	if (o->sampler == HFDS_CHESS_SAMPLER_PLY_CURVE) {
		int m = min_elo(g, R->st);
		double p = 1.0 / (1.0 + exp(-o->elo_slope * ((double)m - o->min_elo)));
		if (!(hfds_chess_keyed_random(o->seed, R->file_index, g->index, 0) < p))
			return 0;
	}
	HFDS_TRY(hfds_pgn_read_moves(rd, g, err));
	R->st->games_replayed++;
	report(R, g);
	if (o->sampler == HFDS_CHESS_SAMPLER_ALL && o->min_ply <= 0)
		HFDS_TRY(emit(R, g, &b, 0, err));
	for (i = 0; i < g->nmoves; i++) {
		uint32_t ply = (uint32_t)i + 1;
		hfds_chess_board_push(&b, g->moves[i]);
		R->st->plies++;
		if (o->max_ply > 0 && ply > (uint32_t)o->max_ply)
			break;
		if ((int)ply < o->min_ply)
			continue;
		if (o->sampler == HFDS_CHESS_SAMPLER_PLY_CURVE) {
			double x = (double)ply / 30.0, q = x * x;
			if (!(hfds_chess_keyed_random(o->seed, R->file_index, g->index, ply) < (q < 1.0 ? q : 1.0) * o->subsample))
				continue;
		}
		HFDS_TRY(emit(R, g, &b, ply, err));
	}
done:
	return rc;
}

int hfds_chess_sample(char *const *paths, size_t npaths, const hfds_chess_sample_opts *o,
	hfds_chess_position_fn fn, void *ctx, const hfds_chess_run_hooks *hooks, hfds_chess_stats *stats,
	hfds_error *err)
{
	hfds_chess_stats local;
	run R;
	size_t fi;
	int rc = 0;
	hfds_chess_input *in = NULL;
	hfds_pgn_reader *rd = NULL;
	HFDS_CHECK_VERSION(o, HFDS_CHESS_SAMPLE_OPTS_VERSION, "hfds_chess_sample_opts", err);
	memset(&R, 0, sizeof(R));
	if (!stats)
		stats = &local;
	memset(stats, 0, sizeof(*stats));
	R.o = o;
	R.fn = fn;
	R.ctx = ctx;
	R.hooks = hooks;
	R.st = stats;
	hfds_chess_pyrandom_seed(&R.py, o->seed);
	for (fi = 0; fi < npaths; fi++) {
		hfds_pgn_game *g;
		HFDS_TRY(hfds_chess_input_open(&in, paths[fi], err));
		HFDS_TRY(hfds_pgn_reader_new(&rd, paths[fi], hfds_chess_input_read, in, err));
		R.file = paths[fi];
		R.file_index = fi;
		for (;;) {
			rc = hfds_pgn_next(rd, &g, err);
			if (rc == HFDS_ITEROVER) {
				rc = 0;
				break;
			}
			if (rc < 0)
				goto done;
			stats->games++;
			rc = one_game(&R, rd, g, err);
			if (rc < 0)
				goto done;
			if (hooks && hooks->progress && (stats->games & 0xFFFF) == 0) {
				stats->bytes = R.bytes_done + hfds_pgn__bytes(rd);
				hooks->progress(hooks->ctx, stats);
			}
		}
		R.bytes_done += hfds_pgn__bytes(rd);
		stats->bytes = R.bytes_done;
		R.base += hfds_pgn__games(rd); /* includes a game read by the v1 offset */
		hfds_pgn_reader_free(rd);
		rd = NULL;
		hfds_chess_input_close(in);
		in = NULL;
	}
done:
	hfds_pgn_reader_free(rd);
	hfds_chess_input_close(in);
	if (rc == HFDS_ECANCELLED)
		rc = 0;
	return rc;
}
