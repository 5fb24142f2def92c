/*
 * The CLI: thin command functions over the library. Only this layer prints or exits.
 * Each command is `int cmd_<name>(int argc, char **argv)` returning an exit code, and
 * handles `--help` itself. Commands are listed in the table in main.c.
 */
#ifndef HFDS_CLI_H
#define HFDS_CLI_H

#include <stdio.h>

#include "hfds/common.h"
#include "hfds/hub.h"

enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_ERROR = 1,   /* the operation failed */
	CLI_EXIT_USAGE = 2,   /* bad arguments */
	CLI_EXIT_DATA = 3     /* the input was invalid */
};

/* Prints `s` with control characters escaped as \xNN (see cli_print.c); for anything that
 * may hold bytes from inputs. */
void cli_print_escaped(FILE *fp, const char *s);
/* printf to stderr / stdout through cli_print_escaped (at most 8 KiB). */
void cli_eprintf(const char *fmt, ...) HFDS_PRINTF(1, 2);
void cli_printf(const char *fmt, ...) HFDS_PRINTF(1, 2);

/* Prints "hfds: <message>" to stderr and maps the error code to an exit code. */
int cli_fail(const hfds_error *err);
/* "hfds CMD: no changes: REPO is already at SHA12" on stderr: a commit that was not made
 * because nothing would change (hfds_hub_commit returned 1). */
void cli_no_changes(const char *cmd, const char *repo_id, const char *sha);
/* Prints "hfds <cmd>: <msg>" and the usage hint; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) HFDS_PRINTF(2, 3);
/* Thread count from --threads, else HFDS_THREADS, else 0 (= all cores). */
int cli_threads(int from_flag);

/* An option of a command: `name` ("--revision") or `alias` ("-m", may be NULL). With
 * `value` it takes one ("--name V" or "--name=V"); with `num` it takes a decimal integer
 * in [min, max] (cli_int's rules); else it is a flag that sets *flag = 1. */
typedef struct cli_opt {
	const char *name;
	const char *alias;
	const char **value;
	int *flag;
	long long *num;
	long long min, max;
} cli_opt;

/* Table entries: a string value, a flag, an integer in [lo, hi], the end of the table. */
#define CLI_STR(name, alias, ptr) { (name), (alias), (ptr), NULL, NULL, 0, 0 }
#define CLI_FLAG(name, alias, ptr) { (name), (alias), NULL, (ptr), NULL, 0, 0 }
#define CLI_INT(name, alias, ptr, lo, hi) { (name), (alias), NULL, NULL, (ptr), (lo), (hi) }
#define CLI_END { NULL, NULL, NULL, NULL, NULL, 0, 0 }

/*
 * Strict, locale-free numbers for every command: the whole text must be the number (no
 * spaces, no '+', no "0x", no trailing text), and it must lie in [min, max]. On anything
 * else they print "hfds <cmd>: <opt>: expected ..., found '<text>'" and return
 * CLI_EXIT_USAGE; else CLI_EXIT_OK and *out.
 */
int cli_int(const char *cmd, const char *opt, const char *text, long long min, long long max, long long *out);
/* A decimal real ("0.9", "2e3"); `lo_open`/`hi_open` make the bound exclusive. */
int cli_real(const char *cmd, const char *opt, const char *text, double min, int lo_open, double max, int hi_open,
	double *out);
/* --threads N: 0 (all cores) .. 1024. */
#define CLI_THREADS_MAX 1024
int cli_threads_arg(const char *cmd, const char *text, int *out);

/* cli_parse's result when it printed the help: the command returns CLI_EXIT_OK. */
#define CLI_PARSE_HELP (-1)

/*
 * Parses argv[1..] of command `cmd` with the options in `opts` (ended by an entry with a
 * NULL name): "--help"/"-h" print `help` (CLI_PARSE_HELP); other arguments are stored in
 * pos[0..max_pos) in order, *npos of them. Unknown options, a missing value or an argument
 * too many print a usage error and return CLI_EXIT_USAGE; else CLI_EXIT_OK.
 */
int cli_parse(const char *cmd, int argc, char **argv, const cli_opt *opts, const char *help, const char **pos,
	int max_pos, int *npos);

/* One declaration per command; the definitions live in cmd_<name>.c. */
int cmd_version(int argc, char **argv);
int cmd_chess(int argc, char **argv);
int cmd_repo(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_tag(int argc, char **argv);
int cmd_branch(int argc, char **argv);
int cmd_push(int argc, char **argv);
int cmd_commit(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_delete_config(int argc, char **argv);
int cmd_purge(int argc, char **argv);
int cmd_upload(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_token(int argc, char **argv);

/* Hub helpers (cli_hub.c). Opens the hub chosen from --endpoint (NULL = none) and
 * announces it in one stderr line; CLI_EXIT_OK, or prints the error and returns its code. */
int cli_open_hub(const char *endpoint, hfds_hub **out);

/* A dataset repo on a hub, as the dataset commands use it. */
typedef struct cli_dataset {
	hfds_hub *hub;
	hfds_hub_dataset *ds;
	const hfds_ds_repo_ops *ops;
	const char *where;      /* the target's description (owned by hub) */
	char repo_id[HFDS_REPO_ID_SIZE];
	int was_missing;        /* the repo did not exist before this open (created with CREATE) */
} cli_dataset;

/* Opens hub and repo (flags: HFDS_HUB_DATASET_*); on error nothing is left open. */
int cli_dataset_open(cli_dataset *d, const char *endpoint, const char *repo_id, const char *branch, unsigned flags,
	hfds_error *err);
/* Frees what cli_dataset_open opened (idempotent). */
void cli_dataset_close(cli_dataset *d);
/* After a failed push: deletes the repo if cli_dataset_open created it and nothing was
 * committed to it since (a failed first push leaves no empty repo). NULL-safe. */
void cli_dataset_abandon(cli_dataset *d);
/* 1 when dataset repo `repo_id` does not exist (yet): for cli_repo_abandon after a failure. */
int cli_repo_missing(hfds_hub *hub, const char *repo_id);
/* After a failed push to a repo that was missing before it: deletes the repo when its
 * history is still only the initial commit (nothing of anyone's was published to it). */
void cli_repo_abandon(hfds_hub *hub, const char *repo_id, int was_missing);
/* Installs handlers so that SIGTERM, SIGINT and SIGHUP remove the staging folders of a push
 * in progress before the process dies of the signal (for commands that stage shards). */
void cli_clean_staging_on_signals(void);

/* Repo-level argument helpers (cmd_repo.c). */
/* Splits "ns/name@rev" into the repo id (copied to repo[cap]) and *rev (NULL if absent). */
int cli_split_repo_rev(const char *cmd, const char *arg, char *repo, size_t cap, const char **rev);
/* --type value ("dataset", "model", "space") to an hfds_repo_type stored in *type. */
int cli_parse_repo_type(const char *cmd, const char *value, int *type);
int cmd_info(int argc, char **argv);
int cmd_cat(int argc, char **argv);
/* "a,b" -> array of pointers into s (modified; array freed with hfds_free); -1 when out of memory. */
int cli_split_columns(char *s, const char ***out, size_t *n);
int cmd_stream(int argc, char **argv);
int cmd_download(int argc, char **argv);
int cmd_convert(int argc, char **argv);

#endif
