/* The embedded hub's branches, tags, revision resolution, and git-CLI compatibility. */
#include <string.h>

#include "store_fixture.h"

static void branches_tags_resolve(void)
{
	hfds_store *st = fx_store();
	hfds_store_repo *repo;
	hfds_store_refs *refs = NULL;
	hfds_error err;
	char init[HFDS_OID_HEX_SIZE], v1[HFDS_OID_HEX_SIZE], v2[HFDS_OID_HEX_SIZE], got[HFDS_OID_HEX_SIZE];
	char shortid[8];
	uint8_t *data = NULL;
	size_t n;
	REQUIRE(st);
	REQUIRE((repo = fx_repo(st, "ns/refs")));
	hfds_error_init(&err);
	REQUIRE(hfds_store_resolve(init, repo, "HEAD", &err) == 0);
	REQUIRE(fx_commit_buf(repo, "f.txt", "one", v1) == 0);
	CHECK_EQ_INT(hfds_store_tag_create(repo, "v1", NULL, NULL, &err), 0);              /* lightweight */
	CHECK_EQ_INT(hfds_store_tag_create(repo, "v0", init, "first release", &err), 0);   /* annotated */
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_store_tag_create(repo, "v1", NULL, NULL, &err), HFDS_EEXISTS);
	CHECK_EQ_INT(hfds_store_tag_create(repo, "bad name", NULL, NULL, NULL), HFDS_EINVAL);
	CHECK_EQ_INT(hfds_store_tag_create(repo, "v9", "nosuchrev", NULL, NULL), HFDS_ENOTFOUND);
	CHECK_EQ_INT(hfds_store_branch_create(repo, "dev", "v0", &err), 0);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_store_branch_create(repo, "main", NULL, &err), HFDS_EEXISTS);
	CHECK(strstr(err.message, "refs/heads/main already exists") != NULL);
	CHECK_EQ_INT(hfds_store_branch_create(repo, "refs/pr/5", NULL, NULL), HFDS_EINVAL);
	CHECK_EQ_INT(hfds_store_branch_create(repo, "a..b", NULL, NULL), HFDS_EINVAL);
	/* git refuses branch and tag names that start with '-' (issue 16 item 22) */
	CHECK_EQ_INT(hfds_store_branch_create(repo, "-x", NULL, NULL), HFDS_EINVAL);
	CHECK_EQ_INT(hfds_store_tag_create(repo, "-v1", NULL, NULL, NULL), HFDS_EINVAL);
	REQUIRE(fx_commit_buf(repo, "f.txt", "two", v2) == 0);

	/* Resolution: branch, tag (peeled), HEAD, full and short ids, full ref names. */
	CHECK_EQ_INT(hfds_store_resolve(got, repo, "main", &err), 0);
	CHECK_EQ_STR(got, v2);
	CHECK_EQ_INT(hfds_store_resolve(got, repo, NULL, &err), 0);
	CHECK_EQ_STR(got, v2);
	CHECK_EQ_INT(hfds_store_resolve(got, repo, "v1", &err), 0);
	CHECK_EQ_STR(got, v1);
	CHECK_EQ_INT(hfds_store_resolve(got, repo, "v0", &err), 0);
	CHECK_EQ_STR(got, init);
	CHECK_EQ_INT(hfds_store_resolve(got, repo, "refs/tags/v0", &err), 0);
	CHECK_EQ_STR(got, init);
	CHECK_EQ_INT(hfds_store_resolve(got, repo, "dev", &err), 0);
	CHECK_EQ_STR(got, init);
	memcpy(shortid, v1, 7);
	shortid[7] = '\0';
	CHECK_EQ_INT(hfds_store_resolve(got, repo, shortid, &err), 0);
	CHECK_EQ_STR(got, v1);
	CHECK_EQ_INT(hfds_store_resolve(got, repo, v1, &err), 0);
	CHECK_EQ_STR(got, v1);
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_store_resolve(got, repo, "nope", &err), HFDS_ENOTFOUND);
	CHECK_EQ_STR(err.message, "ns/refs: invalid rev id: nope");
	CHECK_EQ_INT(hfds_store_resolve(got, repo, "../../x", NULL), HFDS_ENOTFOUND);
	CHECK_EQ_INT(hfds_store_resolve(got, repo, "0000000", NULL), HFDS_ENOTFOUND);

	/* Content at a tag is the old content. */
	REQUIRE(hfds_store_read(&data, &n, repo, "v1", "f.txt", 0, UINT64_MAX, 0, 0, &err) == 0);
	CHECK_EQ_STR((char *)data, "one");
	hfds_free(data);

	REQUIRE(hfds_store_refs_list(&refs, repo, &err) == 0);
	CHECK_EQ_INT(refs->count, 4);
	if (refs->count == 4) {
		CHECK_EQ_STR(refs->items[0].name, "dev");
		CHECK_EQ_STR(refs->items[1].ref, "refs/heads/main");
		CHECK_EQ_STR(refs->items[1].target, v2);
		CHECK_EQ_INT(refs->items[2].kind, HFDS_REF_TAG);
		CHECK_EQ_STR(refs->items[2].name, "v0");
		CHECK_EQ_STR(refs->items[2].target, init);
		CHECK_EQ_STR(refs->items[2].message, "first release");
		CHECK(refs->items[3].message == NULL);
	}
	hfds_store_refs_free(refs);

	/* Deletion. */
	hfds_error_init(&err);
	CHECK_EQ_INT(hfds_store_branch_delete(repo, "main", &err), HFDS_ESTATE);
	CHECK(strstr(err.message, "cannot delete refs/heads/main") != NULL);
	CHECK_EQ_INT(hfds_store_branch_delete(repo, "v1", NULL), HFDS_ENOTFOUND); /* a tag, not a branch */
	CHECK_EQ_INT(hfds_store_branch_delete(repo, "dev", &err), 0);
	CHECK_EQ_INT(hfds_store_resolve(got, repo, "dev", NULL), HFDS_ENOTFOUND);
	CHECK_EQ_INT(hfds_store_tag_delete(repo, "v1", &err), 0);
	CHECK_EQ_INT(hfds_store_tag_delete(repo, "v1", NULL), HFDS_ENOTFOUND);
	/* A commit on a branch leaves main alone. */
	CHECK_EQ_INT(hfds_store_branch_create(repo, "side", NULL, &err), 0);
	{
		hfds_store_commit *c = NULL;
		char side[HFDS_OID_HEX_SIZE];
		REQUIRE(hfds_store_commit_new(&c, repo, "side", &err) == 0);
		hfds_store_commit_set_message(c, "on side", NULL, &err);
		hfds_store_commit_add_buffer(c, "s.txt", "s", 1, 0, &err);
		CHECK_EQ_INT(hfds_store_commit_run(c, side, &err), 0);
		hfds_store_commit_free(c);
		CHECK_EQ_INT(hfds_store_resolve(got, repo, "main", &err), 0);
		CHECK_EQ_STR(got, v2);
		CHECK_EQ_INT(hfds_store_resolve(got, repo, "side", &err), 0);
		CHECK_EQ_STR(got, side);
	}
	hfds_store_repo_free(repo);
	hfds_store_free(st);
}

/* Runs a shell command and returns its first output line (static buffer). */
static const char *sh(const char *cmd)
{
	static char line[4096];
	FILE *p = popen(cmd, "r");
	line[0] = '\0';
	if (!p)
		return line;
	if (!fgets(line, sizeof(line), p))
		line[0] = '\0';
	pclose(p);
	line[strcspn(line, "\n")] = '\0';
	return line;
}

static void git_cli_clone_and_log(void)
{
	hfds_store *st = fx_store();
	hfds_store_repo *repo;
	hfds_store_repo_info info;
	hfds_store_commit *c = NULL;
	hfds_error err;
	char sha[HFDS_OID_HEX_SIZE], cmd[16000], clone[4300];
	REQUIRE(st);
	if (strncmp(sh("git --version 2>/dev/null"), "git version", 11) != 0) {
		printf("skip git_cli_clone_and_log: no git CLI\n");
		hfds_store_free(st);
		return;
	}
	REQUIRE((repo = fx_repo(st, "ns/clone")));
	hfds_error_init(&err);
	REQUIRE(hfds_store_commit_new(&c, repo, NULL, &err) == 0);
	hfds_store_commit_set_message(c, "Upload dataset", NULL, &err);
	hfds_store_commit_add_buffer(c, "README.md", "---\nconfigs: []\n---\n", 20, 0, &err);
	hfds_store_commit_add_buffer(c, "data/train-00000-of-00001.parquet", "PAR1....PAR1", 12, 0, &err);
	REQUIRE(hfds_store_commit_run(c, sha, &err) == 0);
	hfds_store_commit_free(c);
	CHECK_EQ_INT(hfds_store_tag_create(repo, "v1", NULL, "release", &err), 0);
	REQUIRE(hfds_store_repo_info_get(&info, repo, NULL, &err) == 0);
	/* Without git-lfs (or with smudging off) the clone holds the pointer files. */
	snprintf(clone, sizeof(clone), "%s/clone-out", test_tmpdir());
	snprintf(cmd, sizeof(cmd), "GIT_LFS_SKIP_SMUDGE=1 git clone -q '%s' '%s' 2>&1 && echo cloned", info.git_dir, clone);
	CHECK_EQ_STR(sh(cmd), "cloned");
	snprintf(cmd, sizeof(cmd), "git -C '%s' log --format=%%H:%%s | tr '\\n' ' '", clone);
	{
		char expect[200];
		const char *got = sh(cmd);
		snprintf(expect, sizeof(expect), "%s:Upload dataset ", sha);
		CHECK(!strncmp(got, expect, strlen(expect)));
		CHECK(strstr(got, ":initial commit ") != NULL);
	}
	snprintf(cmd, sizeof(cmd), "head -c 43 '%s/data/train-00000-of-00001.parquet'", clone);
	CHECK_EQ_STR(sh(cmd), "version https://git-lfs.github.com/spec/v1");
	snprintf(cmd, sizeof(cmd), "cat '%s/README.md' | head -2 | tail -1", clone);
	CHECK_EQ_STR(sh(cmd), "configs: []");
	snprintf(cmd, sizeof(cmd), "git -C '%s' tag -l", clone);
	CHECK_EQ_STR(sh(cmd), "v1");
	/* With git-lfs, the repo's lfs/ link to the shared store gives the real content. */
	if (!strncmp(sh("git lfs version 2>/dev/null"), "git-lfs/", 8)) {
		snprintf(cmd, sizeof(cmd), "git clone -q '%s' '%s-lfs' 2>&1 && cat '%s-lfs/data/train-00000-of-00001.parquet'",
			info.git_dir, clone, clone);
		CHECK_EQ_STR(sh(cmd), "PAR1....PAR1");
	}
	snprintf(cmd, sizeof(cmd), "git -C '%s' fsck --strict 2>&1 && echo fsck-ok | tail -1", info.git_dir);
	CHECK_EQ_STR(sh(cmd), "fsck-ok");
	hfds_store_repo_free(repo);
	hfds_store_free(st);
}

int main(void)
{
	RUN(branches_tags_resolve);
	RUN(git_cli_clone_and_log);
	TEST_END();
}
