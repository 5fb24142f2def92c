/*
 * The two URL forms of one repository file (see hfds/stream.h): `hf://datasets/NS/NAME[@REV]/PATH`
 * and the Hub's `http(s)://HOST/datasets/NS/NAME/resolve/REV/PATH`. Separate from the remote
 * file so that the parser can be fuzzed without a network.
 */
#ifndef HFDS_STREAM_URL_H
#define HFDS_STREAM_URL_H

#include "hfds/common.h"

typedef struct hfds_url {
	char *endpoint;  /* "http(s)://HOST" of a resolve URL; NULL for hf:// (the default hub) */
	char *repo_id;   /* NS/NAME, checked with hfds_hub_repo_id_check */
	char *rev;       /* never empty; "main" when hf:// names none */
	char *path;      /* never empty */
} hfds_url;

/* Parses `url` into `u` (owned strings, released with hfds_url__release also on error).
 * Errors: HFDS_EINVAL naming the URL and the form expected, HFDS_ENOMEM. */
int hfds_url__parse(hfds_url *u, const char *url, hfds_error *err);
void hfds_url__release(hfds_url *u);

#endif
