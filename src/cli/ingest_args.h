/* Options for JSON Lines and CSV inputs, shared by `hfds push` and `hfds convert`. */
#ifndef HFDS_CLI_INGEST_ARGS_H
#define HFDS_CLI_INGEST_ARGS_H
#include "hfds/ingest.h"

/* Help lines for the options below. */
extern const char cli_ingest_help[];

/* When argv[*i] is an input option, stores it in *o, moves *i past its value and returns
 * 1; returns 0 for other arguments, or CLI_EXIT_USAGE after printing the problem. */
int cli_ingest_arg(const char *cmd, int argc, char **argv, int *i, hfds_ingest_options *o);

#endif
