/*
 * Internals of target selection shared with the HTTP client: finding the HF token.
 */
#ifndef HFDS_HUB_TARGET_H
#define HFDS_HUB_TARGET_H

#include "hfds/hub.h"

/*
 * Looks for an HF token in the Python client's order (see hfds/hub.h). On success *token is
 * the cleaned token or NULL when none was found, and *source names where it came from
 * ("HF_TOKEN", "/home/u/.cache/huggingface/token"). Both are freed with hfds_free.
 * Tokens files larger than 64 KiB are refused (HFDS_ELIMIT).
 */
int hfds_hub__find_token(char **token, char **source, hfds_error *err);

#endif
