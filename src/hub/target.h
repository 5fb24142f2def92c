/*
 * Internals of target selection shared with the HTTP client: finding the HF token, telling
 * a server on this machine.
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

/*
 * 1 when the endpoint URL's host is this machine (localhost, 127.0.0.0/8, [::1]). Uploads to
 * such a server send each object's parts in order on one connection: parallel connections
 * add no bandwidth there, only server CPU (parts that arrive ahead of the in-order prefix are
 * hashed by reading them back) and contention on the object's file.
 */
int hfds_hub__loopback(const char *endpoint);

#endif
