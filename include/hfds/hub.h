/*
 * hfds/hub.h - where repositories live: the Hugging Face Hub (or any server speaking its
 * HTTP protocol) or the embedded local hub (hfds/store.h).
 *
 * Target choice, in order of precedence:
 *   1. an explicit endpoint (the CLI's --endpoint);
 *   2. the HF_ENDPOINT environment variable;
 *   3. https://huggingface.co when an HF token is found: HF_TOKEN, HUGGING_FACE_HUB_TOKEN,
 *      the file HF_TOKEN_PATH, else $HF_HOME/token, else $XDG_CACHE_HOME/huggingface/token,
 *      else ~/.cache/huggingface/token (the Python client's order; CR/LF and surrounding
 *      blanks are stripped, an empty token counts as none);
 *   4. the embedded hub at its default root ($HFDS_HOME/hub, else ~/.cache/hfds/hub).
 * An endpoint value is an http(s) URL (remote), a `file://` URL or a filesystem path
 * (the embedded hub at that directory; `file://` alone means the default root).
 *
 * Thread-safety: hfds_target_select reads the environment; call it before starting threads.
 */
#ifndef HFDS_HUB_H
#define HFDS_HUB_H

#include <stddef.h>
#include "hfds/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HFDS_HUB_DEFAULT_ENDPOINT "https://huggingface.co"

typedef enum hfds_target_kind {
	HFDS_TARGET_EMBEDDED = 0,
	HFDS_TARGET_REMOTE = 1
} hfds_target_kind;

/* Owned strings are freed by hfds_target_release. */
typedef struct hfds_target {
	hfds_target_kind kind;
	char *endpoint;   /* remote: the base URL without trailing '/'; embedded: NULL */
	char *root;       /* embedded: the hub directory (absolute or as given); remote: NULL */
	char *token;      /* the HF token if one was found (remote or not), else NULL */
	char *why;        /* one phrase on how the target was chosen, e.g. "from HF_ENDPOINT" */
} hfds_target;

/*
 * Chooses the target. `endpoint` is the explicit choice (NULL or "" for none).
 * Errors: HFDS_EINVAL (an endpoint with an unsupported scheme, an empty path),
 * HFDS_ENOMEM. On error `out` holds nothing to release.
 */
HFDS_EXTERN int hfds_target_select(hfds_target *out, const char *endpoint, hfds_error *err);
/* Frees the strings of a target (NULL-safe; the struct itself is the caller's). */
HFDS_EXTERN void hfds_target_release(hfds_target *t);
/*
 * One line describing the choice, for the CLI to announce ("embedded hub at /x (no HF token
 * found)", "https://huggingface.co (HF token from HF_TOKEN)"). Truncated to `cap`.
 */
HFDS_EXTERN void hfds_target_describe(const hfds_target *t, char *buf, size_t cap);

/*
 * Repo id rules (the Hub's, see hfds_repo_id_check in hfds/store.h), for a NUL-terminated
 * id. HFDS_EINVAL with a message naming the broken rule.
 */
HFDS_EXTERN int hfds_hub_repo_id_check(const char *repo_id, hfds_error *err);

#ifdef __cplusplus
}
#endif
#endif
