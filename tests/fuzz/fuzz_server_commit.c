/* libFuzzer target for the NDJSON commit payload of `hfds serve` (src/server/ndjson.c):
 * any bytes parse or fail cleanly, and every accepted operation carries a path the store's
 * path rules accept (so nothing the parser lets through can escape the repository). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/srv_int.h"

#define EXPECT(c) do { if (!(c)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	srv_commit_req req;
	hfds_error err;
	size_t i;
	hfds_error_init(&err);
	if (srv_commit_parse(&req, (const char *)data, size, &err) == 0) {
		EXPECT(req.summary && req.summary[0]);
		for (i = 0; i < req.count; i++) {
			const srv_op *op = &req.ops[i];
			EXPECT(hfds_repo_path_check(op->path, strlen(op->path), NULL) == 0);
			EXPECT(op->kind != SRV_OP_FILE || op->data || op->len == 0);
		}
		srv_commit_req_release(&req);
	} else {
		EXPECT(err.code < 0 && err.message[0]);
	}
	return 0;
}
