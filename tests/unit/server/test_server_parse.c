/* The pure parsers of `hfds serve`: Range headers, percent-decoding, path splitting, form
 * bodies, the NDJSON commit payload, and tokens (hash-only storage, lookup, revoke). */
#include <sys/stat.h>

#include "test.h"
#include "server/srv_int.h"
#include "util/alloc.h"

static void range_forms(void)
{
	srv_range r;
	CHECK_EQ_INT(srv_range_parse(NULL, 100, &r), 0);
	CHECK_EQ_INT(srv_range_parse("bytes=0-0", 100, &r), 1);
	CHECK_EQ_INT(r.start, 0);
	CHECK_EQ_INT(r.len, 1);
	CHECK_EQ_INT(srv_range_parse("bytes=10-", 100, &r), 1);
	CHECK_EQ_INT(r.start, 10);
	CHECK_EQ_INT(r.len, 90);
	CHECK_EQ_INT(srv_range_parse("bytes=90-500", 100, &r), 1);   /* clipped to the end */
	CHECK_EQ_INT(r.len, 10);
	CHECK_EQ_INT(srv_range_parse("bytes=-30", 100, &r), 1);      /* suffix */
	CHECK_EQ_INT(r.start, 70);
	CHECK_EQ_INT(r.len, 30);
	CHECK_EQ_INT(srv_range_parse("bytes=-300", 100, &r), 1);
	CHECK_EQ_INT(r.start, 0);
	CHECK_EQ_INT(srv_range_parse("bytes=100-", 100, &r), HFDS_ELIMIT);   /* 416 */
	CHECK_EQ_INT(srv_range_parse("bytes=0-1,5-6", 100, &r), 0);  /* several: whole file */
	CHECK_EQ_INT(srv_range_parse("bytes=5-1", 100, &r), 0);
	CHECK_EQ_INT(srv_range_parse("items=0-1", 100, &r), 0);
	CHECK_EQ_INT(srv_range_parse("bytes=99999999999999999999-", 100, &r), 0);
	CHECK_EQ_INT(srv_range_parse("bytes=0-0", 0, &r), HFDS_ELIMIT);
}

static void percent_and_paths(void)
{
	char *s = NULL, *segs[SRV_MAX_SEGS];
	size_t n = 0, i;
	hfds_error err;
	hfds_error_init(&err);
	REQUIRE(srv_pct_decode(&s, "refs%2Fpr%2F1+x", 15, 0, NULL) == 0);
	CHECK_EQ_STR(s, "refs/pr/1+x");
	hfds_free(s);
	REQUIRE(srv_pct_decode(&s, "a+b", 3, 1, NULL) == 0);
	CHECK_EQ_STR(s, "a b");
	hfds_free(s);
	CHECK_EQ_INT(srv_pct_decode(&s, "a%2", 3, 0, &err), HFDS_EPARSE);
	CHECK(strstr(err.message, "offset 1") != NULL);
	CHECK_EQ_INT(srv_pct_decode(&s, "a%00b", 5, 0, NULL), HFDS_EPARSE);
	CHECK_EQ_INT(srv_pct_decode(&s, "%zz", 3, 0, NULL), HFDS_EPARSE);
	REQUIRE(srv_split_path("/api/datasets/ns/n/tree/refs%2Fpr%2F1/a%2Fb", segs, SRV_MAX_SEGS, &n, NULL) == 0);
	CHECK_EQ_INT(n, 7);
	CHECK_EQ_STR(segs[5], "refs/pr/1");
	CHECK_EQ_STR(segs[6], "a/b");
	for (i = 0; i < n; i++)
		hfds_free(segs[i]);
	{
		char many[400];
		for (i = 0; i < 100; i++)
			memcpy(many + 2 * i, "/a", 2);
		many[200] = '\0';
		CHECK_EQ_INT(srv_split_path(many, segs, SRV_MAX_SEGS, &n, NULL), HFDS_ELIMIT);
		CHECK_EQ_INT(n, 0);
	}
	{
		hfds_buf b;
		hfds_buf_init(&b, 0);
		REQUIRE(srv_pct_encode(&b, "refs/pr/1 é", 0, NULL) == 0 && hfds_buf_cstr(&b, NULL) == 0);
		CHECK_EQ_STR((char *)b.data, "refs%2Fpr%2F1%20%C3%A9");
		hfds_buf_release(&b);
	}
}

static void form_body(void)
{
	json_t *arr = json_array();
	const char body[] = "paths=a%2Fb.txt&expand=false&paths=c+d&paths=";
	REQUIRE(srv_form_values(body, strlen(body), "paths", arr, NULL) == 0);
	CHECK_EQ_INT(json_array_size(arr), 3);
	CHECK_EQ_STR(json_string_value(json_array_get(arr, 0)), "a/b.txt");
	CHECK_EQ_STR(json_string_value(json_array_get(arr, 1)), "c d");
	CHECK_EQ_STR(json_string_value(json_array_get(arr, 2)), "");
	json_decref(arr);
}

static void ndjson_commit(void)
{
	srv_commit_req c;
	hfds_error err;
	const char ok[] =
		"{\"key\":\"header\",\"value\":{\"summary\":\"s\",\"description\":\"d\",\"parentCommit\":\"abcdef1\"}}\n"
		"{\"key\":\"file\",\"value\":{\"path\":\"a/b.txt\",\"content\":\"aGk=\",\"encoding\":\"base64\"}}\n"
		"{\"key\":\"lfsFile\",\"value\":{\"path\":\"x.bin\",\"algo\":\"sha256\","
		"\"oid\":\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"}}\n"
		"{\"key\":\"deletedFile\",\"value\":{\"path\":\"old.txt\"}}\n"
		"{\"key\":\"deletedFolder\",\"value\":{\"path\":\"dir/\"}}";   /* hf.js: no final newline */
	hfds_error_init(&err);
	REQUIRE(srv_commit_parse(&c, ok, strlen(ok), &err) == 0);
	CHECK_EQ_STR(c.summary, "s");
	CHECK_EQ_STR(c.parent, "abcdef1");
	REQUIRE(c.count == 4);
	CHECK_EQ_INT(c.ops[0].kind, SRV_OP_FILE);
	CHECK_EQ_INT(c.ops[0].len, 2);
	CHECK_EQ_MEM(c.ops[0].data, "hi", 2);
	CHECK_EQ_INT(c.ops[1].kind, SRV_OP_LFS);
	CHECK(c.ops[1].size == UINT64_MAX);   /* Python's copy sends no size */
	CHECK_EQ_STR(c.ops[3].path, "dir");
	srv_commit_req_release(&c);

	hfds_error_init(&err);
	CHECK_EQ_INT(srv_commit_parse(&c, "{\"key\":\"file\",\"value\":{}}", 25, &err), HFDS_EPARSE);
	CHECK(strstr(err.message, "header must come first") != NULL);
	hfds_error_init(&err);
	{
		const char bad[] = "{\"key\":\"header\",\"value\":{\"summary\":\"s\"}}\n{not json}\n";
		CHECK_EQ_INT(srv_commit_parse(&c, bad, strlen(bad), &err), HFDS_EPARSE);
		CHECK(strncmp(err.message, "line 2:", 7) == 0);
	}
	{
		const char trav[] = "{\"key\":\"header\",\"value\":{\"summary\":\"s\"}}\n"
			"{\"key\":\"deletedFile\",\"value\":{\"path\":\"a/../../b\"}}\n";
		CHECK_EQ_INT(srv_commit_parse(&c, trav, strlen(trav), NULL), HFDS_EINVAL);
	}
	{
		const char oid[] = "{\"key\":\"header\",\"value\":{\"summary\":\"s\"}}\n"
			"{\"key\":\"lfsFile\",\"value\":{\"path\":\"a\",\"oid\":\"../etc\"}}\n";
		CHECK_EQ_INT(srv_commit_parse(&c, oid, strlen(oid), NULL), HFDS_EPARSE);
	}
	CHECK_EQ_INT(srv_commit_parse(&c, "", 0, NULL), HFDS_EPARSE);
}

static void tokens(void)
{
	char root[4000], *tok = NULL, *tok2 = NULL;
	const char *orgs[] = {"acme", "beta"};
	hfds_token_info info;
	hfds_token_list *list = NULL;
	hfds_error err;
	FILE *f;
	char text[4096], path[4300];
	size_t n;
	hfds_error_init(&err);
	snprintf(root, sizeof(root), "%s/tok", test_tmpdir());
	mkdir(root, 0700);
	REQUIRE(hfds_token_create(root, "alice", orgs, 2, "write", &tok, &err) == 0);
	REQUIRE(hfds_token_create(root, "bob", NULL, 0, "read", &tok2, &err) == 0);
	CHECK(strncmp(tok, "hf_", 3) == 0 && strlen(tok) == 37);
	REQUIRE(hfds_token_lookup(&info, root, tok, &err) == 0);
	CHECK_EQ_STR(info.user, "alice");
	CHECK_EQ_STR(info.orgs, "acme,beta");
	CHECK_EQ_STR(info.role, "write");
	/* the file holds no token */
	snprintf(path, sizeof(path), "%s/server/tokens", root);
	REQUIRE((f = fopen(path, "r")) != NULL);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	CHECK(strstr(text, tok + 3) == NULL && strstr(text, tok2 + 3) == NULL);
	REQUIRE(hfds_token_list_get(&list, root, &err) == 0);
	CHECK_EQ_INT(list->count, 2);
	CHECK_EQ_INT(hfds_token_lookup(&(hfds_token_info){0}, root, "hf_nope", NULL), HFDS_EAUTH);
	CHECK_EQ_INT(hfds_token_create(root, "a b", NULL, 0, "write", &(char *){NULL}, NULL), HFDS_EINVAL);
	CHECK_EQ_INT(hfds_token_create(root, "ok", NULL, 0, "admin", &(char *){NULL}, NULL), HFDS_EINVAL);
	CHECK_EQ_INT(hfds_token_revoke(root, "zz", NULL), HFDS_EINVAL);
	REQUIRE(hfds_token_revoke(root, info.id, &err) == 0);
	CHECK_EQ_INT(hfds_token_lookup(&(hfds_token_info){0}, root, tok, NULL), HFDS_EAUTH);
	{
		hfds_token_info b;
		REQUIRE(hfds_token_lookup(&b, root, tok2, NULL) == 0);   /* the other one stays */
		hfds_token_info_release(&b);
	}
	CHECK_EQ_INT(hfds_token_revoke(root, info.id, NULL), HFDS_ENOTFOUND);
	hfds_token_info_release(&info);
	hfds_token_list_free(list);
	hfds_free(tok);
	hfds_free(tok2);
}

int main(void)
{
	RUN(range_forms);
	RUN(percent_and_paths);
	RUN(form_body);
	RUN(ndjson_commit);
	RUN(tokens);
	TEST_END();
}
