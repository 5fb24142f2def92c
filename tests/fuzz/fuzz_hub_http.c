/* libFuzzer target for the HTTP backend's response parsers (src/hub/http_parse.c): the first
 * byte picks a parser, the rest is a server's answer (a header value or a JSON body). Every
 * parser must return cleanly, and what it accepts must obey its contract. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hub/http_parse.h"
#include "util/alloc.h"

#define EXPECT(c) do { if (!(c)) abort(); } while (0)

static void tree(const char *s, size_t n)
{
	hfds_store_tree *t = hfds_calloc(1, sizeof(*t));
	if (!t)
		return;
	if (hub_parse_tree_page(t, s, n, NULL) == 0)
		for (size_t i = 0; i < t->count; i++)
			EXPECT(t->items[i].path && *t->items[i].path && (!t->items[i].is_lfs || strlen(t->items[i].lfs_sha256) == 64));
	hfds_store_tree_free(t);
}

static void batch(const char *s, size_t n)
{
	const char *oids[2] = {"0000000000000000000000000000000000000000000000000000000000000000",
		"1111111111111111111111111111111111111111111111111111111111111111"};
	uint64_t sizes[2] = {5, 100};
	hub_lfs_action a[2];
	memset(a, 0, sizeof(a));
	if (hub_parse_lfs_batch(a, oids, sizes, 2, s, n, NULL) == 0)
		for (int i = 0; i < 2; i++)
			if (a[i].chunk_size)
				EXPECT(a[i].parts == (sizes[i] + a[i].chunk_size - 1) / a[i].chunk_size);
	hub_lfs_action_release(&a[0]);
	hub_lfs_action_release(&a[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data + 1;
	size_t n;
	char msg[128], sha[HFDS_OID_HEX_SIZE];
	long r, t;
	if (size < 1)
		return 0;
	n = size - 1;
	switch (data[0] % 10) {
	case 0: {
		char *next = hub_parse_link_next(s, n);
		if (next)
			EXPECT(!strncmp(next, "http://", 7) || !strncmp(next, "https://", 8));
		hfds_free(next);
		break;
	}
	case 1:
		EXPECT(hub_parse_retry_after(s, n) <= 86400);
		if (hub_parse_ratelimit(s, n, &r, &t) == 0)
			EXPECT(r >= 0 && t >= 0);
		break;
	case 2:
		hub_parse_error_message(s, n, msg, sizeof(msg));
		EXPECT(strlen(msg) < sizeof(msg));
		break;
	case 3: {
		hfds_hub_user u;
		if (hub_parse_whoami(&u, s, n, NULL) == 0)
			EXPECT(strlen(u.name) < sizeof(u.name));
		break;
	}
	case 4: {
		hfds_store_repo_info info;
		memset(&info, 0, sizeof(info));
		if (hub_parse_repo_info(&info, s, n, NULL) == 0)
			EXPECT(strlen(info.sha) == 40);
		break;
	}
	case 5:
		tree(s, n);
		break;
	case 6: {
		hfds_store_refs *refs = NULL;
		if (hub_parse_refs(&refs, s, n, NULL) == 0)
			for (size_t i = 0; i < refs->count; i++)
				EXPECT(strlen(refs->items[i].target) == 40);
		hfds_store_refs_free(refs);
		break;
	}
	case 7: {
		hfds_store_log *log = hfds_calloc(1, sizeof(*log));
		if (log && hub_parse_commits_page(log, s, n, 3, NULL) == 0)
			EXPECT(log->count <= 3);
		hfds_store_log_free(log);
		break;
	}
	case 8: {
		const char *paths[2] = {"a.txt", "data/x.parquet"};
		hub_preupload m[2];
		memset(m, 0, sizeof(m));
		if (hub_parse_preupload(m, paths, 2, s, n, sha, NULL) == 0) {
			EXPECT(!sha[0] || strlen(sha) == 40);
			for (int i = 0; i < 2; i++) {
				size_t k = strlen(m[i].oid);
				EXPECT(k == 0 || k == 40 || k == 64);
				for (size_t j = 0; j < k; j++)
					EXPECT((m[i].oid[j] >= '0' && m[i].oid[j] <= '9') || (m[i].oid[j] >= 'a' && m[i].oid[j] <= 'f'));
			}
		}
		break;
	}
	default:
		batch(s, n);
		if (hub_parse_commit(sha, s, n, NULL) == 0)
			EXPECT(strlen(sha) == 40);
		break;
	}
	return 0;
}
