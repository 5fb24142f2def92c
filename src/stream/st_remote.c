/*
 * `hfds info` / `hfds cat` on a repository file by URL: parse the URL into hub, repo,
 * revision and path, find the file's size in its folder's listing, and give the Parquet
 * reader ranged reads (st_rfile.c), so only the footer and the chunks read are fetched.
 */
#include "hfds/stream.h"

#include <string.h>

#include "stream/st_rfile.h"
#include "stream/st_url.h"
#include "util/alloc.h"
#include "util/try.h"

struct hfds_remote_file {
	hfds_hub *hub;
	hfds_url url;
	char commit[HFDS_OID_HEX_SIZE];
	hfds_rfile rf;
	hfds_pq_reader *reader;
};

/* The file's size, from its folder's listing (every backend lists folders). */
static int file_size(hfds_remote_file *f, uint64_t *size, hfds_error *err)
{
	int rc = 0;
	size_t i;
	hfds_store_tree *tree = NULL;
	const char *slash = strrchr(f->url.path, '/');
	char *dir = slash ? hfds_strndup(f->url.path, (size_t)(slash - f->url.path)) : hfds_strdup("");
	HFDS_FAIL_IF(!dir, HFDS_ENOMEM, err, "out of memory");
	HFDS_TRY(hfds_hub_tree_list(&tree, f->hub, HFDS_REPO_DATASET, f->url.repo_id, f->commit, dir, 0, err));
	for (i = 0; i < tree->count; i++)
		if (!tree->items[i].is_dir && !strcmp(tree->items[i].path, f->url.path)) {
			*size = tree->items[i].size;
			goto done;
		}
	HFDS_FAIL(HFDS_ENOTFOUND, err, "%s: no such file in %s at %.12s", f->url.path, f->url.repo_id, f->commit);
done:
	hfds_store_tree_free(tree);
	hfds_free(dir);
	return rc;
}

int hfds_remote_file_open(hfds_remote_file **out, const char *url, const hfds_pq_reader_options *opt,
	hfds_error *err)
{
	int rc = 0;
	uint64_t size = 0;
	hfds_pq_reader_options o;
	hfds_remote_file *f = hfds_calloc(1, sizeof(*f));
	*out = NULL;
	HFDS_FAIL_IF(!f, HFDS_ENOMEM, err, "out of memory");
	HFDS_TRY(hfds_url__parse(&f->url, url, err));
	HFDS_TRY(hfds_hub_open(&f->hub, f->url.endpoint, err));
	HFDS_TRY(hfds_hub_resolve(f->commit, f->hub, HFDS_REPO_DATASET, f->url.repo_id, f->url.rev, err));
	HFDS_TRY(file_size(f, &size, err));
	if (opt)
		o = *opt;
	else
		hfds_pq_reader_options_init(&o);
	o.threads = 1;
	f->rf.hub = f->hub;
	f->rf.repo_id = f->url.repo_id;
	f->rf.commit = f->commit;
	f->rf.path = f->url.path;
	f->rf.size = size;
	HFDS_TRY(hfds_rfile_open_parquet(&f->reader, &f->rf, &o, err));
	*out = f;
	f = NULL;
done:
	hfds_remote_file_free(f);
	return rc;
}

hfds_pq_reader *hfds_remote_file_reader(hfds_remote_file *f)
{
	return f ? f->reader : NULL;
}

uint64_t hfds_remote_file_bytes_read(const hfds_remote_file *f)
{
	return f ? f->rf.bytes_read : 0;
}

void hfds_remote_file_free(hfds_remote_file *f)
{
	if (!f)
		return;
	hfds_pq_reader_free(f->reader);
	hfds_rfile_release(&f->rf);
	hfds_hub_free(f->hub);
	hfds_url__release(&f->url);
	hfds_free(f);
}
