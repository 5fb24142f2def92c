/*
 * `hfds chess npz`: the old generate_positions.py output for the existing training code.
 * Positions are gathered in chunks of --chunk-size rows; each chunk's first
 * int(n * ratio) rows go to DIR/train, the rest to DIR/test, as position_tensor_NNN.npz
 * (NNN = one more than the highest number already in either folder). The default sampler
 * here is chesspos-v1, the old pipeline's. When the input runs out the partial chunk is
 * written (the original died with StopIteration).
 */
#include "cli.h"
#include "hfds/chess.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

int cmd_chess_npz(int argc, char **argv);
int hfds_cli_chess_sample_opt(const char *cmd, int argc, char **argv, int *i, hfds_chess_sample_opts *o,
	int *recursive);

typedef struct npz_ctx {
	const char *out;
	int8_t *rows;
	size_t n, chunk;
	double ratio;
	int files;
	hfds_error *err;
} npz_ctx;

static int next_number(const char *out)
{
	static const char *sub[2] = {"train", "test"};
	int best = -1, s;
	for (s = 0; s < 2; s++) {
		char dir[4096];
		DIR *d;
		struct dirent *de;
		snprintf(dir, sizeof(dir), "%s/%s", out, sub[s]);
		d = opendir(dir);
		if (!d)
			continue;
		while ((de = readdir(d)) != NULL) {
			int k;
			if (sscanf(de->d_name, "position_tensor_%d.npz", &k) == 1 && k > best)
				best = k;
		}
		closedir(d);
	}
	return best + 1;
}

static int flush_chunk(npz_ctx *c, hfds_error *err)
{
	char path[4096];
	size_t ntrain = (size_t)((double)c->n * c->ratio);
	int k, rc;
	if (!c->n)
		return 0;
	k = next_number(c->out);
	snprintf(path, sizeof(path), "%s/train/position_tensor_%03d.npz", c->out, k);
	if ((rc = hfds_chess_write_npz(path, c->rows, ntrain, HFDS_CHESS_TOKENS, err)) < 0)
		return rc;
	snprintf(path, sizeof(path), "%s/test/position_tensor_%03d.npz", c->out, k);
	if ((rc = hfds_chess_write_npz(path, c->rows + ntrain * HFDS_CHESS_TOKENS, c->n - ntrain,
		     HFDS_CHESS_TOKENS, err)) < 0) {
		/* a pair is done only with both halves: a lone train file would be counted */
		snprintf(path, sizeof(path), "%s/train/position_tensor_%03d.npz", c->out, k);
		unlink(path);
		return rc;
	}
	fprintf(stderr, "hfds chess npz: position_tensor_%03d.npz: %zu train, %zu test\n", k, ntrain, c->n - ntrain);
	c->files++;
	c->n = 0;
	return 0;
}

static int on_pos(void *ctx, const hfds_chess_position *pos, hfds_error *err)
{
	npz_ctx *c = ctx;
	hfds_chess_encode(pos->board, c->rows + c->n * HFDS_CHESS_TOKENS);
	if (++c->n == c->chunk)
		return flush_chunk(c, err);
	return 0;
}

static void on_problem(void *ctx, const char *msg)
{
	cli_eprintf("%s\n", msg);
}

static int mkdir_p(const char *path)
{
	char tmp[4096];
	size_t i, n = strlen(path);
	if (n >= sizeof(tmp))
		return -1;
	memcpy(tmp, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (tmp[i] == '/' || tmp[i] == 0) {
			char c = tmp[i];
			tmp[i] = 0;
			if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
				return -1;
			tmp[i] = c;
		}
	}
	return 0;
}

int cmd_chess_npz(int argc, char **argv)
{
	hfds_chess_sample_opts o;
	hfds_chess_stats st;
	hfds_chess_run_hooks hooks = {on_problem, NULL, NULL};
	npz_ctx c;
	char **inputs, **paths = NULL, sub[4096];
	size_t ninputs = 0, npaths = 0;
	int i, rc, recursive = 0, in_data = 0;
	hfds_error err;
	hfds_error_init(&err);
	hfds_chess_sample_opts_init(&o);
	o.sampler = HFDS_CHESS_SAMPLER_CHESSPOS_V1;
	memset(&c, 0, sizeof(c));
	c.chunk = 100000;
	c.ratio = 0.9;
	inputs = calloc((size_t)argc + 1, sizeof(char *));
	if (!inputs)
		return CLI_EXIT_ERROR;
	for (i = 1; i < argc; i++) {
		int k = hfds_cli_chess_sample_opt("chess npz", argc, argv, &i, &o, &recursive);
		if (k < 0)
			goto usage_done;
		if (k) {
			in_data = 0;
			continue;
		}
		if (!strcmp(argv[i], "--data-path")) {
			in_data = 1;
		} else if (!strcmp(argv[i], "--out") && i + 1 < argc) {
			c.out = argv[++i];
			in_data = 0;
		} else if (!strcmp(argv[i], "--chunk-size") && i + 1 < argc) {
			long long v;
			if (cli_int("chess npz", "--chunk-size", argv[++i], 1, 10000000, &v) != CLI_EXIT_OK)
				goto usage_done;
			c.chunk = (size_t)v;
			in_data = 0;
		} else if (!strcmp(argv[i], "--train-ratio") && i + 1 < argc) {
			if (cli_real("chess npz", "--train-ratio", argv[++i], 0, 1, 1, 1, &c.ratio) != CLI_EXIT_OK)
				goto usage_done;
			in_data = 0;
		} else if (!strcmp(argv[i], "--help")) {
			free(inputs);
			printf("usage: hfds chess npz --data-path PATH... --out DIR [--chunk-size N] [--train-ratio R]\n"
			       "                      [--sampler S] [--seed N] [--recursive]\n");
			return CLI_EXIT_OK;
		} else if (in_data && (argv[i][0] != '-' || !argv[i][1])) {
			inputs[ninputs++] = argv[i];
		} else {
			cli_usage_error("chess npz", "unexpected argument '%s'", argv[i]);
			goto usage_done;
		}
	}
	if (!ninputs || !c.out) {
		cli_usage_error("chess npz", "--data-path and --out are required");
		goto usage_done;
	}
	rc = hfds_chess_expand_paths(&paths, &npaths, inputs, ninputs, recursive, &err);
	free(inputs);
	if (rc < 0)
		return cli_fail(&err);
	c.rows = calloc(c.chunk, HFDS_CHESS_TOKENS); /* checks the product for overflow */
	snprintf(sub, sizeof(sub), "%s/train", c.out);
	rc = c.rows && mkdir_p(sub) == 0 ? 0 : -1;
	snprintf(sub, sizeof(sub), "%s/test", c.out);
	if (rc < 0 || mkdir_p(sub) != 0) {
		fprintf(stderr, "hfds: %s: cannot create output folders: %s\n", c.out, strerror(errno));
		free(c.rows);
		hfds_chess_paths_free(paths);
		return CLI_EXIT_ERROR;
	}
	rc = hfds_chess_sample(paths, npaths, &o, on_pos, &c, &hooks, &st, &err);
	if (rc == 0)
		rc = flush_chunk(&c, &err);
	free(c.rows);
	hfds_chess_paths_free(paths);
	if (rc < 0)
		return cli_fail(&err);
	fprintf(stderr, "hfds chess npz: %llu games, %llu positions, %d file pair(s)\n",
		(unsigned long long)st.games, (unsigned long long)st.positions, c.files);
	return CLI_EXIT_OK;
usage_done:
	free(inputs);
	return CLI_EXIT_USAGE;
}
