/*
 * `hfds info` / `hfds cat` on a repository file by URL: parse the URL into hub, repo,
 * revision and path, find the file's size in its folder's listing, and give the Parquet
 * reader ranged reads (st_rfile.c), so only the footer and the chunks read are fetched.
 */
#include "hfds/stream.h"

#include <string.h>

#include "stream/st_rfile.h"
#include "util/alloc.h"
#include "util/try.h"

struct hfds_remote_file {
	hfds_hub *hub;
	char *repo_id, *rev, *path;
	char commit[HFDS_OID_HEX_SIZE];
	hfds_rfile rf;
	hfds_pq_reader *reader;
};

static const char *resolve_part(const char *s)
{
	const char *d = strstr(s, "/datasets/");
	return d && strstr(d, "/resolve/") ? d : NULL;
}

int hfds_remote_url_is(const char *s)
{
	if (!s)
		return 0;
	if (!strncmp(s, "hf://datasets/", 14))
		return 1;
	return (!strncmp(s, "http://", 7) || !strncmp(s, "https://", 8)) && resolve_part(s) != NULL;
}

/* Splits "NS/NAME<sep>REST": repo id, then the rest after the separator. */
static int parse(hfds_remote_file *f, const char *url, char **endpoint, hfds_error *err)
{
	const char *p, *slash, *at, *end;
	*endpoint = NULL;
	if (!strncmp(url, "hf://datasets/", 14)) {
		p = url + 14;
		slash = strchr(p, '/');
		if (!slash || !(end = strchr(slash + 1, '/')))
			return hfds_error_set(err, HFDS_EINVAL, "%s: expected hf://datasets/NS/NAME[@REV]/PATH", url);
		at = memchr(slash + 1, '@', (size_t)(end - slash - 1));
		f->repo_id = hfds_strndup(p, (size_t)((at ? at : end) - p));
		f->rev = at ? hfds_strndup(at + 1, (size_t)(end - at - 1)) : hfds_strdup("main");
		f->path = hfds_strdup(end + 1);
	} else {
		const char *d = resolve_part(url), *res;
		p = d + 10;
		res = strstr(p, "/resolve/");
		end = res ? strchr(res + 9, '/') : NULL;
		if (!res || !end)
			return hfds_error_set(err, HFDS_EINVAL, "%s: expected http(s)://HOST/datasets/NS/NAME/resolve/REV/PATH",
				url);
		*endpoint = hfds_strndup(url, (size_t)(d - url));
		f->repo_id = hfds_strndup(p, (size_t)(res - p));
		f->rev = hfds_strndup(res + 9, (size_t)(end - res - 9));
		f->path = hfds_strdup(end + 1);
		if (!*endpoint)
			return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	}
	if (!f->repo_id || !f->path || !f->rev)
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	if (!*f->path || (f->rev && !*f->rev))
		return hfds_error_set(err, HFDS_EINVAL, "%s: empty revision or path", url);
	return hfds_hub_repo_id_check(f->repo_id, err);
}

/* The file's size, from its folder's listing (every backend lists folders). */
static int file_size(hfds_remote_file *f, uint64_t *size, hfds_error *err)
{
	int rc = 0;
	size_t i;
	hfds_store_tree *tree = NULL;
	const char *slash = strrchr(f->path, '/');
	char *dir = slash ? hfds_strndup(f->path, (size_t)(slash - f->path)) : hfds_strdup("");
	HFDS_FAIL_IF(!dir, HFDS_ENOMEM, err, "out of memory");
	HFDS_TRY(hfds_hub_tree_list(&tree, f->hub, HFDS_REPO_DATASET, f->repo_id, f->commit, dir, 0, err));
	for (i = 0; i < tree->count; i++)
		if (!tree->items[i].is_dir && !strcmp(tree->items[i].path, f->path)) {
			*size = tree->items[i].size;
			goto done;
		}
	HFDS_FAIL(HFDS_ENOTFOUND, err, "%s: no such file in %s at %.12s", f->path, f->repo_id, f->commit);
done:
	hfds_store_tree_free(tree);
	hfds_free(dir);
	return rc;
}

int hfds_remote_file_open(hfds_remote_file **out, const char *url, const hfds_pq_reader_options *opt,
	hfds_error *err)
{
	int rc = 0;
	char *endpoint = NULL;
	uint64_t size = 0;
	hfds_pq_reader_options o;
	hfds_remote_file *f = hfds_calloc(1, sizeof(*f));
	*out = NULL;
	HFDS_FAIL_IF(!f, HFDS_ENOMEM, err, "out of memory");
	HFDS_TRY(parse(f, url, &endpoint, err));
	HFDS_TRY(hfds_hub_open(&f->hub, endpoint, err));
	HFDS_TRY(hfds_hub_resolve(f->commit, f->hub, HFDS_REPO_DATASET, f->repo_id, f->rev, err));
	HFDS_TRY(file_size(f, &size, err));
	if (opt)
		o = *opt;
	else
		hfds_pq_reader_options_init(&o);
	o.threads = 1;
	f->rf.hub = f->hub;
	f->rf.repo_id = f->repo_id;
	f->rf.commit = f->commit;
	f->rf.path = f->path;
	f->rf.size = size;
	HFDS_TRY(hfds_rfile_open_parquet(&f->reader, &f->rf, &o, err));
	*out = f;
	f = NULL;
done:
	hfds_remote_file_free(f);
	hfds_free(endpoint);
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
	hfds_free(f->repo_id);
	hfds_free(f->rev);
	hfds_free(f->path);
	hfds_free(f);
}
