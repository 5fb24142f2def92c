/*
 * Internals of hfds_features (include/hfds/features.h), shared by features*.c.
 *
 * JSON, YAML and comparison all go through one intermediate form: the jansson tree of
 * `Features.to_dict()` (ordered objects). Printing dumps that tree the way Python's
 * json.dumps does; the YAML form is derived from it by the same steps as datasets'
 * `_to_yaml_list`; parsing reads it back.
 */
#ifndef HFDS_FEATURES_FEATURES_H
#define HFDS_FEATURES_FEATURES_H

#include <jansson.h>

#include "hfds/features.h"
#include "util/buf.h"

struct hfds_feature {
	hfds_feature_kind kind;
	char *type_name;          /* MEDIA only: "Pdf", "Nifti", "Mesh" */
	hfds_dtype dtype;         /* VALUE, ARRAY */
	hfds_arrow_time_unit unit;
	char *tz;                 /* timestamps; NULL = none */
	char *dtype_name;         /* VALUE/ARRAY: the datasets dtype string */
	hfds_feature *item;       /* LIST, LARGE_LIST */
	int64_t length;           /* LIST: -1 = variable */
	size_t count;             /* STRUCT fields, CLASS_LABEL names, TRANSLATION languages */
	char **names;
	hfds_feature **children;  /* STRUCT */
	int ndim;                 /* ARRAY */
	int64_t shape[5];         /* -1 = None */
	int64_t sampling_rate;    /* AUDIO, 0 = None */
	char *mode;               /* IMAGE */
	int decode;               /* media, default 1 */
	char *id;                 /* the `id` field when not null */
	json_t *extra;            /* media: other non-default fields, in order (object) */
};

struct hfds_features {
	hfds_feature *root;       /* a STRUCT */
};

#define HFDS_FEATURES_MAX_DEPTH 64

/* to_dict of a feature as a new jansson value (NULL when out of memory). */
json_t *hfds_features__to_dict(const hfds_feature *f, unsigned flags);

/* Python json.dumps (default separators, ensure_ascii) of a jansson value. */
int hfds_features__dump(hfds_buf *b, const json_t *v, hfds_error *err);

/* from_dict: builds a feature from the jansson value at `path` (for messages). */
int hfds_features__from_dict(hfds_feature **out, const json_t *v, const char *path, int depth, hfds_error *err);

/* Parses a datasets dtype string into a VALUE node. */
int hfds_features__parse_dtype(hfds_feature *f, const char *s, hfds_error *err);

/* "int8", "timestamp[us, tz=UTC]"; NULL for an unknown dtype. */
const char *hfds_features__dtype_base(hfds_dtype d);

#endif
