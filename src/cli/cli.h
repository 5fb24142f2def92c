/*
 * The CLI: thin command functions over the library. Only this layer prints or exits.
 * Each command is `int cmd_<name>(int argc, char **argv)` returning an exit code, and
 * handles `--help` itself. Commands are listed in the table in main.c.
 */
#ifndef HFDS_CLI_H
#define HFDS_CLI_H

#include "hfds/common.h"

enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_ERROR = 1,   /* the operation failed */
	CLI_EXIT_USAGE = 2,   /* bad arguments */
	CLI_EXIT_DATA = 3     /* the input was invalid */
};

/* Prints "hfds: <message>" to stderr and maps the error code to an exit code. */
int cli_fail(const hfds_error *err);
/* Prints "hfds <cmd>: <msg>" and the usage hint; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) HFDS_PRINTF(2, 3);
/* Thread count from --threads, else HFDS_THREADS, else 0 (= all cores). */
int cli_threads(int from_flag);

/* One declaration per command; the definitions live in cmd_<name>.c. */
int cmd_version(int argc, char **argv);
int cmd_chess(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_cat(int argc, char **argv);

#endif
