/*
 * The Arrow IPC stream messages of `hfds stream --format arrow`, from the flatbuffers encoder
 * the Parquet writer keeps for ARROW:schema (one encoder for both).
 */
#include "hfds/stream.h"

#include "parquet/write/arrow_ipc_schema.h"
#include "util/buf.h"
#include "util/try.h"

static int detach(hfds_buf *b, int rc, uint8_t **out, size_t *len)
{
	if (rc == 0) {
		*len = b->len;
		*out = hfds_buf_detach(b, NULL);
	}
	hfds_buf_release(b);
	return rc;
}

int hfds_stream_ipc_schema(const struct ArrowSchema *schema, uint8_t **out, size_t *len, hfds_error *err)
{
	hfds_buf b;
	hfds_buf_init(&b, 0);
	*out = NULL;
	*len = 0;
	return detach(&b, pq_arrow_ipc_schema(&b, schema, err), out, len);
}

int hfds_stream_ipc_batch(const struct ArrowSchema *schema, const struct ArrowArray *batch, uint8_t **out,
	size_t *len, hfds_error *err)
{
	hfds_buf b;
	hfds_buf_init(&b, 0);
	*out = NULL;
	*len = 0;
	return detach(&b, pq_arrow_ipc_record_batch(&b, schema, batch, err), out, len);
}

int hfds_stream_ipc_batch_write(const struct ArrowSchema *schema, const struct ArrowArray *batch,
	hfds_stream_write_fn put, void *ctx, hfds_error *err)
{
	return pq_arrow_ipc_record_batch_to(schema, batch, put, ctx, err);
}
