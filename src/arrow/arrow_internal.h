/*
 * Internals shared by the arrow module's files: owned arrays whose release frees the
 * buffers and children this module allocated.
 */
#ifndef HFDS_ARROW_INTERNAL_H
#define HFDS_ARROW_INTERNAL_H

#include "hfds/arrow.h"

/*
 * Initialises `out` as an owned array with n_buffers NULL buffers and n_children zeroed
 * (released) child arrays to be filled by the caller. length/null_count/offset are 0.
 */
int hfds_arrow__array_init(struct ArrowArray *out, int n_buffers, int64_t n_children, hfds_error *err);

/* Hands an allocation (from hfds_malloc) to the array as buffer i; freed on release. */
void hfds_arrow__array_set_buffer(struct ArrowArray *a, int i, void *owned);

/* Builds a dotted column path "parent.child" for messages into buf. */
const char *hfds_arrow__path(char *buf, size_t size, const char *parent, const char *name);

#endif
