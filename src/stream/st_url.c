/*
 * Parsing a repository file URL (st_url.h). The repo id goes through the hub's own check,
 * so what reaches an HTTP path is never "..", empty or full of odd bytes.
 */
#include "stream/st_url.h"

#include <string.h>

#include "hfds/hub.h"
#include "hfds/stream.h"
#include "util/alloc.h"

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

int hfds_url__parse(hfds_url *u, const char *url, hfds_error *err)
{
	const char *p, *slash, *at, *end;
	memset(u, 0, sizeof(*u));
	if (!strncmp(url, "hf://datasets/", 14)) {
		p = url + 14;
		slash = strchr(p, '/');
		if (!slash || !(end = strchr(slash + 1, '/')))
			return hfds_error_set(err, HFDS_EINVAL, "%s: expected hf://datasets/NS/NAME[@REV]/PATH", url);
		at = memchr(slash + 1, '@', (size_t)(end - slash - 1));
		u->repo_id = hfds_strndup(p, (size_t)((at ? at : end) - p));
		u->rev = at ? hfds_strndup(at + 1, (size_t)(end - at - 1)) : hfds_strdup("main");
		u->path = hfds_strdup(end + 1);
	} else {
		const char *d = hfds_remote_url_is(url) ? resolve_part(url) : NULL, *res;
		p = d ? d + 10 : NULL;
		res = p ? strstr(p, "/resolve/") : NULL;
		end = res ? strchr(res + 9, '/') : NULL;
		if (!end)
			return hfds_error_set(err, HFDS_EINVAL, "%s: expected http(s)://HOST/datasets/NS/NAME/resolve/REV/PATH",
				url);
		u->endpoint = hfds_strndup(url, (size_t)(d - url));
		u->repo_id = hfds_strndup(p, (size_t)(res - p));
		u->rev = hfds_strndup(res + 9, (size_t)(end - res - 9));
		u->path = hfds_strdup(end + 1);
		if (!u->endpoint)
			return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	}
	if (!u->repo_id || !u->path || !u->rev)
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	if (!*u->path || !*u->rev)
		return hfds_error_set(err, HFDS_EINVAL, "%s: empty revision or path", url);
	return hfds_hub_repo_id_check(u->repo_id, err);
}

void hfds_url__release(hfds_url *u)
{
	hfds_free(u->endpoint);
	hfds_free(u->repo_id);
	hfds_free(u->rev);
	hfds_free(u->path);
	memset(u, 0, sizeof(*u));
}
