/* The hub interface over the embedded backend: every operation through hfds/hub.h, the
 * dataset adapter, and staging folders (locked while in use, swept once abandoned). */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "test.h"
#include "hfds/hub.h"
#include "util/alloc.h"

static void open_hub(hfds_hub **out, const char *sub)
{
	char root[4300];
	hfds_hub *hub = NULL;
	hfds_error err;
	*out = NULL;
	hfds_error_init(&err);
	snprintf(root, sizeof(root), "%s/%s", test_tmpdir(), sub);
	REQUIRE(hfds_hub_open(&hub, root, &err) == 0);
	REQUIRE(!hfds_hub_is_remote(hub));
	CHECK(strstr(hfds_hub_where(hub), root) != NULL);
	*out = hub;
}

static int has_path(const hfds_store_tree *t, const char *path)
{
	for (size_t i = 0; i < t->count; i++)
		if (!strcmp(t->items[i].path, path))
			return 1;
	return 0;
}

static void operations(void)
{
	hfds_hub *hub;
	hfds_hub_user user;
	hfds_store_repo_info info;
	hfds_store_tree *tree = NULL;
	hfds_store_refs *refs = NULL;
	hfds_store_log *log = NULL;
	hfds_error err;
	char sha[HFDS_OID_HEX_SIZE], sha2[HFDS_OID_HEX_SIZE], head[HFDS_OID_HEX_SIZE];
	uint8_t *data = NULL;
	size_t n = 0;
	const hfds_repo_type D = HFDS_REPO_DATASET;
	open_hub(&hub, "ops");
	REQUIRE(hub);
	hfds_error_init(&err);
	REQUIRE(hfds_hub_whoami(hub, &user, &err) == 0);
	CHECK_EQ_STR(user.name, "local");
	CHECK(user.can_write);
	CHECK_EQ_INT(hfds_hub_repo_create(hub, D, "me/x", 0, 0, &err), 0);
	CHECK_EQ_INT(hfds_hub_repo_create(hub, D, "me/x", 0, 1, &err), 1);
	CHECK_EQ_INT(hfds_hub_repo_create(hub, D, "me/x", 0, 0, &err), HFDS_EEXISTS);
	CHECK_EQ_INT(hfds_hub_repo_create(hub, D, "me/../x", 0, 0, NULL), HFDS_EINVAL);
	hfds_error_init(&err);
	REQUIRE(hfds_hub_resolve(head, hub, D, "me/x", NULL, &err) == 0);

	/* one commit: add a buffer, a copy of it, then delete the .gitattributes */
	{
		hfds_hub_op ops[3];
		hfds_hub_commit_info c;
		memset(ops, 0, sizeof(ops));
		memset(&c, 0, sizeof(c));
		ops[0].kind = HFDS_HUB_OP_ADD_BUFFER;
		ops[0].path = "a/hello.txt";
		ops[0].data = "hello world";
		ops[0].len = 11;
		ops[1].kind = HFDS_HUB_OP_DELETE;
		ops[1].path = ".gitattributes";
		c.title = "add hello";
		c.parent = head;
		c.ops = ops;
		c.count = 2;
		REQUIRE(hfds_hub_commit(hub, D, "me/x", &c, sha, &err) == 0);
		/* a copy of a file of the parent, in the next commit */
		ops[0].kind = HFDS_HUB_OP_COPY;
		ops[0].path = "b/copy.txt";
		ops[0].src_path = "a/hello.txt";
		c.title = "copy";
		c.parent = sha;
		c.count = 1;
		REQUIRE(hfds_hub_commit(hub, D, "me/x", &c, sha2, &err) == 0);
		/* the same copy again changes nothing: no commit, 1, the head as the answer (with
		 * the parent given and without) */
		{
			char same[HFDS_OID_HEX_SIZE] = "";
			c.parent = sha2;
			CHECK_EQ_INT(hfds_hub_commit(hub, D, "me/x", &c, same, &err), 1);
			CHECK_EQ_STR(same, sha2);
			c.parent = NULL;
			memset(same, 0, sizeof(same));
			CHECK_EQ_INT(hfds_hub_commit(hub, D, "me/x", &c, same, &err), 1);
			CHECK_EQ_STR(same, sha2);
		}
		/* based on the old head: the branch moved */
		ops[0].kind = HFDS_HUB_OP_ADD_BUFFER;
		c.parent = head;
		CHECK_EQ_INT(hfds_hub_commit(hub, D, "me/x", &c, NULL, &err), HFDS_ECONFLICT);
		hfds_error_init(&err);
		c.parent = NULL;
		c.create_pr = 1;
		CHECK_EQ_INT(hfds_hub_commit(hub, D, "me/x", &c, NULL, &err), HFDS_EUNSUPPORTED);
		hfds_error_init(&err);
		c.create_pr = 0;
		c.title = "";
		CHECK_EQ_INT(hfds_hub_commit(hub, D, "me/x", &c, NULL, &err), HFDS_EINVAL);
		hfds_error_init(&err);
	}
	REQUIRE(hfds_hub_tree_list(&tree, hub, D, "me/x", NULL, NULL, 1, &err) == 0);
	CHECK(has_path(tree, "a/hello.txt"));
	CHECK(has_path(tree, "b/copy.txt"));
	CHECK(!has_path(tree, ".gitattributes"));
	CHECK_EQ_STR(tree->commit, sha2);
	hfds_store_tree_free(tree);
	REQUIRE(hfds_hub_read(&data, &n, hub, D, "me/x", NULL, "b/copy.txt", 6, 5, 0, &err) == 0);
	CHECK_EQ_INT(n, 5);
	CHECK_EQ_MEM(data, "world", 5);
	hfds_free(data);
	CHECK_EQ_INT(hfds_hub_read(&data, &n, hub, D, "me/x", NULL, "nope", 0, 1, 0, &err), HFDS_ENOTFOUND);
	hfds_error_init(&err);

	/* refs and history */
	REQUIRE(hfds_hub_branch_create(hub, D, "me/x", "dev", sha, &err) == 0);
	REQUIRE(hfds_hub_tag_create(hub, D, "me/x", "v1", "dev", "first", &err) == 0);
	REQUIRE(hfds_hub_refs_list(&refs, hub, D, "me/x", &err) == 0);
	CHECK_EQ_INT(refs->count, 3);   /* dev, main, v1 */
	hfds_store_refs_free(refs);
	REQUIRE(hfds_hub_resolve(head, hub, D, "me/x", "v1", &err) == 0);
	CHECK_EQ_STR(head, sha);
	REQUIRE(hfds_hub_log(&log, hub, D, "me/x", NULL, 0, &err) == 0);
	CHECK_EQ_INT(log->count, 3);
	CHECK_EQ_STR(log->items[0].title, "copy");
	hfds_store_log_free(log);
	REQUIRE(hfds_hub_tag_delete(hub, D, "me/x", "v1", &err) == 0);
	REQUIRE(hfds_hub_branch_delete(hub, D, "me/x", "dev", &err) == 0);
	REQUIRE(hfds_hub_repo_info(&info, hub, D, "me/x", NULL, &err) == 0);
	CHECK_EQ_STR(info.sha, sha2);
	CHECK(!info.is_private);
	REQUIRE(hfds_hub_repo_set_private(hub, D, "me/x", 1, &err) == 0);
	REQUIRE(hfds_hub_repo_info(&info, hub, D, "me/x", NULL, &err) == 0);
	CHECK(info.is_private);
	REQUIRE(hfds_hub_repo_delete(hub, D, "me/x", &err) == 0);
	CHECK_EQ_INT(hfds_hub_repo_info(&info, hub, D, "me/x", NULL, &err), HFDS_ENOTFOUND);
	hfds_hub_free(hub);
	hfds_hub_free(NULL);
}

static void dataset_ops(void)
{
	hfds_hub *hub;
	hfds_hub_dataset *d = NULL;
	const hfds_ds_repo_ops *ops;
	hfds_ds_repo_file *files = NULL;
	hfds_ds_commit_add add = {"README.md", NULL, NULL, 0, "# hi\n", 5, 0};
	hfds_ds_commit c;
	hfds_error err;
	char head[41], sha[41], *text = NULL;
	size_t n = 0, len = 0;
	open_hub(&hub, "ds");
	REQUIRE(hub);
	hfds_error_init(&err);
	/* without CREATE a missing repo is an error naming it */
	CHECK_EQ_INT(hfds_hub_dataset_open(&d, hub, "me/d", NULL, 0, &err), HFDS_ENOTFOUND);
	CHECK(strstr(err.message, "me/d") != NULL);
	hfds_error_init(&err);
	REQUIRE(hfds_hub_dataset_open(&d, hub, "me/d", "dev", HFDS_HUB_DATASET_CREATE, &err) == 0);
	ops = hfds_hub_dataset_ops(d);
	/* head of a missing branch creates it from main */
	REQUIRE(ops->head(ops->payload, head, &err) == 0);
	CHECK_EQ_INT(ops->read_file(ops->payload, head, "README.md", &text, &len, &err), HFDS_ENOTFOUND);
	memset(&c, 0, sizeof(c));
	c.parent = head;
	c.title = "card";
	c.adds = &add;
	c.add_count = 1;
	REQUIRE(ops->commit(ops->payload, &c, sha, &err) == 0);
	REQUIRE(ops->read_file(ops->payload, sha, "README.md", &text, &len, &err) == 0);
	CHECK_EQ_INT(len, 5);
	hfds_free(text);
	REQUIRE(ops->list_files(ops->payload, sha, &files, &n, &err) == 0);
	CHECK_EQ_INT(n, 2);   /* .gitattributes, README.md */
	hfds_ds_repo_files_free(files, n);
	/* main did not move */
	REQUIRE(hfds_hub_resolve(head, hub, HFDS_REPO_DATASET, "me/d", "main", &err) == 0);
	CHECK(strcmp(head, sha) != 0);
	hfds_hub_dataset_free(d);
	hfds_hub_free(hub);
}

static int count_push_dirs(const char *base)
{
	DIR *dir = opendir(base);
	struct dirent *e;
	int n = 0;
	if (!dir)
		return -1;
	while ((e = readdir(dir)) != NULL)
		n += !strncmp(e->d_name, "push-", 5);
	closedir(dir);
	return n;
}

static void staging(void)
{
	hfds_hub *hub;
	hfds_hub_staging *a = NULL, *b = NULL;
	hfds_error err;
	char base[4400], dead[4500], path[4600], keep[4400];
	struct timespec old[2] = {{0, 0}, {0, 0}};
	FILE *f;
	open_hub(&hub, "stage");
	REQUIRE(hub);
	hfds_error_init(&err);
	snprintf(base, sizeof(base), "%s/stage/tmp", test_tmpdir());
	REQUIRE(hfds_hub_staging_new(&a, hub, &err) == 0);
	snprintf(keep, sizeof(keep), "%s", hfds_hub_staging_path(a));
	CHECK(strstr(keep, "/tmp/push-") != NULL);
	/* a slow push: nothing in its folder changed for two hours */
	snprintf(path, sizeof(path), "%s/data.parquet", keep);
	REQUIRE((f = fopen(path, "w")) != NULL);
	fclose(f);
	old[0].tv_sec = old[1].tv_sec = time(NULL) - 7200;
	utimensat(AT_FDCWD, path, old, 0);
	snprintf(path, sizeof(path), "%s/.lock", keep);
	utimensat(AT_FDCWD, path, old, 0);
	utimensat(AT_FDCWD, keep, old, 0);
	/* a killed push: a push- folder whose lock no one holds, changed a second ago */
	snprintf(dead, sizeof(dead), "%s/push-dead01", base);
	REQUIRE(mkdir(dead, 0777) == 0);
	snprintf(path, sizeof(path), "%s/.lock", dead);
	REQUIRE((f = fopen(path, "w")) != NULL);
	fclose(f);
	REQUIRE(hfds_hub_staging_new(&b, hub, &err) == 0);
	CHECK(access(keep, F_OK) == 0);          /* in progress: kept */
	CHECK(access(dead, F_OK) != 0);          /* abandoned: swept at once */
	CHECK_EQ_INT(count_push_dirs(base), 2);
	hfds_hub_staging_free(a);
	CHECK(access(keep, F_OK) != 0);
	hfds_hub_staging_free(b);
	CHECK_EQ_INT(count_push_dirs(base), 0);
	hfds_hub_staging_free(NULL);
	hfds_hub_free(hub);
}

int main(void)
{
	RUN(operations);
	RUN(dataset_ops);
	RUN(staging);
	TEST_END();
}
