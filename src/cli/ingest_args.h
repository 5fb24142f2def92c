/* Options for JSON Lines and CSV inputs, shared by `hfds push` and `hfds convert`. */
#ifndef HFDS_CLI_INGEST_ARGS_H
#define HFDS_CLI_INGEST_ARGS_H
#include "hfds/ingest.h"

/* Help lines for the options below. */
extern const char cli_ingest_help[];

/* When argv[*i] is an input option, stores it in *o (--row-group-size in *row_group_bytes),
 * moves *i past its value and returns 1; returns 0 for other arguments, or CLI_EXIT_USAGE
 * after printing the problem. */
int cli_ingest_arg(const char *cmd, int argc, char **argv, int *i, hfds_ingest_options *o, size_t *row_group_bytes);

/* Row-group bytes of the Parquet written from JSON Lines / CSV: the one given, else half
 * the block size. The writer keeps up to two row groups in flight, each about three times
 * its size while it encodes, so this keeps peak memory near 2 x block x threads + 64 MB
 * whatever the input size (measured in bench/ingest); it depends on the block size only,
 * never on the thread count, so the bytes written do not either. */
size_t cli_ingest_row_group_bytes(const hfds_ingest_options *o, size_t row_group_bytes);

/* One malloc arena for the whole process (glibc; elsewhere nothing): called by push and
 * convert before their threads start, see ingest_args.c. */
void cli_ingest_one_arena(void);

#endif
