/*
 * The Arrow IPC stream messages of `hfds stream --format arrow`, from the flatbuffers encoder
 * the Parquet writer keeps for ARROW:schema (one encoder for both).
 */
#include "hfds/stream.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

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

static int put_fd(void *ctx, const void *data, size_t len, hfds_error *err)
{
	int fd = *(const int *)ctx;
	const uint8_t *p = data;
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return hfds_error_set(err, HFDS_EIO, "writing the Arrow stream failed: %s", strerror(errno));
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int hfds_stream_ipc_batch_write(const struct ArrowSchema *schema, const struct ArrowArray *batch, int fd,
	hfds_error *err)
{
	return pq_arrow_ipc_record_batch_to(schema, batch, put_fd, &fd, err);
}
