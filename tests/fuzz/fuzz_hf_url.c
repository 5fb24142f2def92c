/* libFuzzer target for the repository file URLs `hfds info/cat` accept (hf://datasets/...
 * and the Hub's resolve URLs): parsing never crashes or leaks; whatever parses has a checked
 * repo id and a non-empty revision and path, agrees with hfds_remote_url_is, and an hf://
 * URL rebuilt from the parts parses back to the same parts (when the repo id has a namespace:
 * a resolve URL may name "squad", the hf:// form always NS/NAME). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hfds/hub.h"
#include "hfds/stream.h"
#include "stream/st_url.h"

#define EXPECT(c) do { if (!(c)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *url = malloc(size + 1), *again = NULL;
	hfds_url u, v;
	hfds_error err;
	size_t n;
	if (!url)
		return 0;
	memcpy(url, data, size);
	url[size] = 0;
	hfds_error_init(&err);
	if (hfds_url__parse(&u, url, &err) == 0) {
		EXPECT(hfds_remote_url_is(url));
		EXPECT(u.repo_id && u.rev && u.path && *u.rev && *u.path);
		EXPECT(hfds_hub_repo_id_check(u.repo_id, NULL) == 0);
		EXPECT(!u.endpoint || !strncmp(url, u.endpoint, strlen(u.endpoint)));
		if (!strchr(u.rev, '/') && strchr(u.repo_id, '/')) {
			n = strlen(u.repo_id) + strlen(u.rev) + strlen(u.path) + 32;
			EXPECT((again = malloc(n)) != NULL);
			snprintf(again, n, "hf://datasets/%s@%s/%s", u.repo_id, u.rev, u.path);
			EXPECT(hfds_url__parse(&v, again, NULL) == 0);
			EXPECT(!v.endpoint && !strcmp(v.repo_id, u.repo_id) && !strcmp(v.rev, u.rev) &&
				!strcmp(v.path, u.path));
			hfds_url__release(&v);
			free(again);
		}
	} else {
		EXPECT(err.code == HFDS_EINVAL || err.code == HFDS_ENOMEM);
		EXPECT(strlen(err.message) > 0);
	}
	hfds_url__release(&u);
	free(url);
	return 0;
}
