/* The pieces of the HTTP backend's no-op check (hub-protocol.md §3.3): preupload's oid as the
 * parser keeps it, git's blob id of a regular file, and which paths a commit deletes. The
 * expected blob ids are `git hash-object`'s. */
#include <string.h>

#include "test.h"
#include "hub/http_backend.h"

static void preupload_oids(void)
{
	const char *paths[4] = {"a.txt", "data/x.parquet", "new.txt", "odd.txt"};
	hub_preupload m[4];
	char head[HFDS_OID_HEX_SIZE];
	hfds_error err;
	const char *body = "{\"files\":["
		"{\"path\":\"a.txt\",\"uploadMode\":\"regular\",\"shouldIgnore\":false,"
		"\"oid\":\"1A42034850E2F5213E1A89A887747B667DC9D125\"},"
		"{\"path\":\"data/x.parquet\",\"uploadMode\":\"lfs\",\"shouldIgnore\":false,"
		"\"oid\":\"00000000000000000000000000000000000000000000000000000000000000ab\"},"
		"{\"path\":\"new.txt\",\"uploadMode\":\"regular\",\"shouldIgnore\":false},"
		"{\"path\":\"odd.txt\",\"uploadMode\":\"regular\",\"shouldIgnore\":false,\"oid\":\"12zz\"}],"
		"\"commitOid\":\"c52ce5e45984b9378ef6247fe7a45ed72b096b24\"}";
	hfds_error_init(&err);
	memset(m, 0x55, sizeof(m));
	REQUIRE(hub_parse_preupload(m, paths, 4, body, strlen(body), head, &err) == 0);
	CHECK_EQ_STR(m[0].oid, "1a42034850e2f5213e1a89a887747b667dc9d125");   /* lower case */
	CHECK_EQ_STR(m[1].oid, "00000000000000000000000000000000000000000000000000000000000000ab");
	CHECK_EQ_STR(m[2].oid, "");   /* a new path */
	CHECK_EQ_STR(m[3].oid, "");   /* not 40 or 64 hex digits: counts as changed */
	CHECK_EQ_INT(m[1].lfs, 1);
	CHECK_EQ_STR(head, "c52ce5e45984b9378ef6247fe7a45ed72b096b24");
}

static void blob_ids(void)
{
	char hex[41];
	REQUIRE(hub_git_blob_sha1((const uint8_t *)"", 0, hex, NULL) == 0);
	CHECK_EQ_STR(hex, "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
	REQUIRE(hub_git_blob_sha1((const uint8_t *)"hello world\n", 12, hex, NULL) == 0);
	CHECK_EQ_STR(hex, "3b18e512dba79e4c8300dd08aeb37f8e728b8dad");
}

static void deleted_paths(void)
{
	hfds_hub_op ops[3];
	hfds_hub_commit_info c;
	memset(ops, 0, sizeof(ops));
	memset(&c, 0, sizeof(c));
	ops[0].kind = HFDS_HUB_OP_DELETE;
	ops[0].path = "data/";
	ops[1].kind = HFDS_HUB_OP_ADD_BUFFER;
	ops[1].path = "other";
	ops[2].kind = HFDS_HUB_OP_DELETE;
	ops[2].path = "README.md";
	c.ops = ops;
	c.count = 3;
	CHECK(hub_commit_deletes(&c, "data/train-00000-of-00001.parquet"));
	CHECK(hub_commit_deletes(&c, "data"));
	CHECK(hub_commit_deletes(&c, "README.md"));
	CHECK(!hub_commit_deletes(&c, "database/x"));
	CHECK(!hub_commit_deletes(&c, "README.md.bak"));
	CHECK(!hub_commit_deletes(&c, "other"));   /* an addition, not a deletion */
}

int main(void)
{
	RUN(preupload_oids);
	RUN(blob_ids);
	RUN(deleted_paths);
	TEST_END();
}
