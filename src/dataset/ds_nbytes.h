/*
 * The Arrow in-memory size of a split as datasets writes it to the card (`num_bytes`): what
 * pyarrow's `Table.nbytes` gives for the split read as one table. Batches are added as they
 * come; bitmaps are sized once for the whole split at the end, so the figure does not depend
 * on how the rows were batched.
 */
#ifndef HFDS_DATASET_DS_NBYTES_H
#define HFDS_DATASET_DS_NBYTES_H

#include <stdint.h>

#include "hfds/arrow.h"
#include "hfds/common.h"

typedef struct ds_nbytes {
	size_t node_count;       /* schema nodes in pre-order (0 until the first batch) */
	uint64_t *len;           /* rows seen at each node */
	unsigned char *flags;    /* saw a null (has a bitmap), is bool, is a struct */
	uint64_t fixed;          /* offsets and values of every node but bool values */
} ds_nbytes;

/* Adds a batch (validated against `schema`). HFDS_ENOMEM on the first call only. */
int hfds_ds__nbytes_add(ds_nbytes *acc, const struct ArrowSchema *schema, const struct ArrowArray *batch,
	hfds_error *err);
uint64_t hfds_ds__nbytes_total(const ds_nbytes *acc);
void hfds_ds__nbytes_release(ds_nbytes *acc);

#endif
