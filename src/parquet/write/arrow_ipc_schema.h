/*
 * The `ARROW:schema` key/value of a Parquet file (spec parquet.md §1.9): base64 of an
 * encapsulated Arrow IPC Schema message, as parquet-cpp (pyarrow) writes it, so Arrow readers
 * restore the exact Arrow types the writer was given (large_string, fixed_size_list, timestamp
 * units and time zones, float16, extension metadata) instead of inferring them from the
 * Parquet logical types.
 */
#ifndef HFDS_PQ_ARROW_IPC_SCHEMA_H
#define HFDS_PQ_ARROW_IPC_SCHEMA_H

#include "hfds/arrow_abi.h"
#include "hfds/common.h"
#include "util/buf.h"

/*
 * Appends the encapsulated IPC message (0xFFFFFFFF, int32 metadata length, flatbuffer Message
 * with a Schema header padded to 8 bytes, no body) for `schema`, a struct ("+s") whose children
 * are the columns, to `out`. Field names, nullability, types, children and field metadata are
 * kept; the root's metadata becomes the Schema's custom_metadata. Types the writer accepts are
 * supported; anything else fails with HFDS_EINVAL naming the column.
 */
int pq_arrow_ipc_schema(hfds_buf *out, const struct ArrowSchema *schema, hfds_error *err);

/*
 * Appends one encapsulated RecordBatch message and its body for `batch`, a struct array of
 * `schema`'s columns (as a Parquet scan returns them). Arrays must start at offset 0 and not
 * be dictionary-encoded (HFDS_EUNSUPPORTED naming the column). An IPC stream is the schema
 * message, record batches, then the end marker 0xFFFFFFFF 0x00000000.
 */
int pq_arrow_ipc_record_batch(hfds_buf *out, const struct ArrowSchema *schema, const struct ArrowArray *batch,
	hfds_error *err);

/* The same message handed to `put` piece by piece: the header, then the batch's own buffers
 * and their padding, never copied into one message (a batch costs no second copy). */
typedef int (*pq_ipc_put)(void *ctx, const void *data, size_t len, hfds_error *err);
int pq_arrow_ipc_record_batch_to(const struct ArrowSchema *schema, const struct ArrowArray *batch, pq_ipc_put put,
	void *ctx, hfds_error *err);

/* The same message as base64 text (NUL-terminated, caller frees with hfds_free). */
int pq_arrow_schema_b64(char **out, const struct ArrowSchema *schema, hfds_error *err);

#endif
