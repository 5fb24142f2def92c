/*
 * hfds/features.h - Hugging Face `datasets` Features: model, JSON, Arrow, YAML.
 *
 * A feature tree describes one column the way `datasets` does: Value(dtype), ClassLabel,
 * List / LargeList (optionally fixed length), struct dicts, Array2D..Array5D, Audio, Image,
 * Video (and the other struct<bytes, path> media types), Translation, Json.
 * `hfds_features` is the ordered top-level dict (column name -> feature).
 *
 *  - JSON: parse the form `Features.to_dict()` produces (also "Sequence" and the legacy
 *    `[feature]` list form), and print it byte-identical to Python `json.dumps` of
 *    `Features.to_dict()` in datasets >= 4 (declaration field order, defaults omitted,
 *    "_type" last, ", " / ": " separators, ensure_ascii). hfds_features_hf_metadata gives the
 *    full value of the Parquet `huggingface` key: {"info": {"features": ...}}.
 *  - Arrow: the storage schema datasets writes (datasets-format.md §2.2; everything
 *    nullable), and inference from an Arrow schema (§2.4).
 *  - YAML: the `_to_yaml_list` form of the dataset card (§4.2) as a small tree
 *    (hfds_fnode) the card writer emits with libyaml, and the reverse.
 *  - Comparison with a message naming the first differing column.
 *
 * Construction from C: constructors return a new node or NULL when out of memory; nodes
 * passed in as children are owned by the constructor from then on, even when it fails (and
 * a NULL child makes it return NULL), so calls nest:
 *
 *   hfds_features *f = hfds_features_new();
 *   hfds_features_add(f, "window", hfds_feature_array(2, (int64_t[]){10, 69}, HFDS_DTYPE_INT8), &err);
 *   hfds_features_add(f, "scalars", hfds_feature_list(hfds_feature_value(HFDS_DTYPE_INT8), 3), &err);
 *
 * Thread-safety: a tree may be read from many threads; mutation needs exclusive access.
 * Strings returned through `char **out` are freed with hfds_free.
 */
#ifndef HFDS_FEATURES_H
#define HFDS_FEATURES_H

#include <stddef.h>
#include <stdint.h>

#include "hfds/arrow.h"
#include "hfds/arrow_abi.h"
#include "hfds/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hfds_feature_kind {
	HFDS_FEATURE_VALUE = 1,       /* Value(dtype) */
	HFDS_FEATURE_CLASS_LABEL,     /* ClassLabel(names) - int64 storage */
	HFDS_FEATURE_LIST,            /* List(feature, length=-1|n) (also parsed from Sequence) */
	HFDS_FEATURE_LARGE_LIST,      /* LargeList(feature) */
	HFDS_FEATURE_STRUCT,          /* a dict of sub-features, ordered */
	HFDS_FEATURE_ARRAY,           /* Array2D..Array5D(shape, dtype) */
	HFDS_FEATURE_AUDIO,           /* Audio(sampling_rate, decode, ...) */
	HFDS_FEATURE_IMAGE,           /* Image(mode, decode, ...) */
	HFDS_FEATURE_VIDEO,           /* Video(decode, ...) */
	HFDS_FEATURE_MEDIA,           /* other struct<bytes, path> types: Pdf, Nifti, Mesh */
	HFDS_FEATURE_TRANSLATION,     /* Translation(languages) - struct of strings, sorted */
	HFDS_FEATURE_JSON             /* Json() - string storage with the arrow.json extension */
} hfds_feature_kind;

typedef enum hfds_dtype {
	HFDS_DTYPE_NULL = 1,
	HFDS_DTYPE_BOOL,
	HFDS_DTYPE_INT8, HFDS_DTYPE_INT16, HFDS_DTYPE_INT32, HFDS_DTYPE_INT64,
	HFDS_DTYPE_UINT8, HFDS_DTYPE_UINT16, HFDS_DTYPE_UINT32, HFDS_DTYPE_UINT64,
	HFDS_DTYPE_FLOAT16, HFDS_DTYPE_FLOAT32, HFDS_DTYPE_FLOAT64,
	HFDS_DTYPE_STRING, HFDS_DTYPE_LARGE_STRING,
	HFDS_DTYPE_BINARY, HFDS_DTYPE_LARGE_BINARY,
	HFDS_DTYPE_DATE32,
	HFDS_DTYPE_TIMESTAMP          /* with a unit and an optional timezone */
} hfds_dtype;

typedef struct hfds_feature hfds_feature;
typedef struct hfds_features hfds_features;

/* ---------------------------------------------------------------------------------- */
/* Construction (see the ownership note above)                                          */

HFDS_EXTERN hfds_feature *hfds_feature_value(hfds_dtype dtype);  /* not TIMESTAMP */
HFDS_EXTERN hfds_feature *hfds_feature_timestamp(hfds_arrow_time_unit unit, const char *tz /* NULL = none */);
HFDS_EXTERN hfds_feature *hfds_feature_class_label(const char *const *names, size_t n);
/* length -1 = variable; n >= 0 = fixed (fixed_size_list storage). */
HFDS_EXTERN hfds_feature *hfds_feature_list(hfds_feature *item, int64_t length);
HFDS_EXTERN hfds_feature *hfds_feature_large_list(hfds_feature *item);
HFDS_EXTERN hfds_feature *hfds_feature_struct(void);
/* Adds a field to a struct node; takes `child` (freed on failure). Errors: HFDS_EEXISTS
 * (duplicate name), HFDS_EINVAL (not a struct / NULL child), HFDS_ENOMEM. */
HFDS_EXTERN int hfds_feature_struct_add(hfds_feature *s, const char *name, hfds_feature *child, hfds_error *err);
/* ndim 2..5; shape[0] may be -1 (None); dtype not TIMESTAMP/NULL. */
HFDS_EXTERN hfds_feature *hfds_feature_array(int ndim, const int64_t *shape, hfds_dtype dtype);
HFDS_EXTERN hfds_feature *hfds_feature_audio(int64_t sampling_rate /* 0 = None */);
HFDS_EXTERN hfds_feature *hfds_feature_image(const char *mode /* NULL = None */);
HFDS_EXTERN hfds_feature *hfds_feature_video(void);
HFDS_EXTERN hfds_feature *hfds_feature_translation(const char *const *languages, size_t n);
HFDS_EXTERN hfds_feature *hfds_feature_json(void);
/* Sets decode=False on Audio/Image/Video (printed as "decode": false). */
HFDS_EXTERN void hfds_feature_set_decode(hfds_feature *f, int decode);

/* Parses a Value dtype string: "int8", "float" (= float32), "double" (= float64),
 * "timestamp[us]", "timestamp[ns, tz=Europe/Paris]", "date32", "null", ...
 * Errors: HFDS_EUNSUPPORTED (a dtype datasets knows but hfds does not, e.g. decimal),
 * HFDS_EPARSE (not a dtype). */
HFDS_EXTERN int hfds_feature_value_parse(hfds_feature **out, const char *dtype, hfds_error *err);

HFDS_EXTERN int hfds_feature_copy(hfds_feature **out, const hfds_feature *f, hfds_error *err);
HFDS_EXTERN void hfds_feature_free(hfds_feature *f);

/* ---------------------------------------------------------------------------------- */
/* Inspection (borrowed results, valid while the tree lives)                             */

HFDS_EXTERN hfds_feature_kind hfds_feature_get_kind(const hfds_feature *f);
/* "Value", "ClassLabel", "List", "LargeList", "" (struct), "Array2D", "Audio", "Pdf", ... */
HFDS_EXTERN const char *hfds_feature_type_name(const hfds_feature *f);
/* VALUE and ARRAY: the dtype; 0 otherwise. */
HFDS_EXTERN hfds_dtype hfds_feature_dtype(const hfds_feature *f);
/* VALUE: the datasets dtype string ("int8", "timestamp[us, tz=UTC]"); ARRAY: its dtype. */
HFDS_EXTERN const char *hfds_feature_dtype_name(const hfds_feature *f);
HFDS_EXTERN hfds_arrow_time_unit hfds_feature_time_unit(const hfds_feature *f);
HFDS_EXTERN const char *hfds_feature_timezone(const hfds_feature *f); /* NULL = none */
/* LIST / LARGE_LIST: the item feature and the fixed length (-1 = variable). */
HFDS_EXTERN const hfds_feature *hfds_feature_item(const hfds_feature *f);
HFDS_EXTERN int64_t hfds_feature_length(const hfds_feature *f);
/* STRUCT: fields; CLASS_LABEL: names; TRANSLATION: languages (count + i-th). */
HFDS_EXTERN size_t hfds_feature_count(const hfds_feature *f);
HFDS_EXTERN const char *hfds_feature_name_at(const hfds_feature *f, size_t i);
HFDS_EXTERN const hfds_feature *hfds_feature_child_at(const hfds_feature *f, size_t i); /* STRUCT */
/* ARRAY: number of dimensions and shape (-1 = None). */
HFDS_EXTERN int hfds_feature_ndim(const hfds_feature *f);
HFDS_EXTERN const int64_t *hfds_feature_shape(const hfds_feature *f);
/* AUDIO: sampling rate (0 = None); IMAGE: mode (NULL = None); media: decode flag. */
HFDS_EXTERN int64_t hfds_feature_sampling_rate(const hfds_feature *f);
HFDS_EXTERN const char *hfds_feature_mode(const hfds_feature *f);
HFDS_EXTERN int hfds_feature_decode(const hfds_feature *f);

/* ---------------------------------------------------------------------------------- */
/* The top-level dict                                                                    */

HFDS_EXTERN hfds_features *hfds_features_new(void); /* NULL when out of memory */
HFDS_EXTERN void hfds_features_free(hfds_features *f);
HFDS_EXTERN int hfds_features_copy(hfds_features **out, const hfds_features *f, hfds_error *err);
/* Appends a column; takes `feature` (freed on failure; NULL -> HFDS_ENOMEM).
 * Errors: HFDS_EEXISTS (duplicate column name), HFDS_ENOMEM. */
HFDS_EXTERN int hfds_features_add(hfds_features *f, const char *name, hfds_feature *feature, hfds_error *err);
HFDS_EXTERN size_t hfds_features_count(const hfds_features *f);
HFDS_EXTERN const char *hfds_features_name_at(const hfds_features *f, size_t i);
HFDS_EXTERN const hfds_feature *hfds_features_at(const hfds_features *f, size_t i);
HFDS_EXTERN const hfds_feature *hfds_features_find(const hfds_features *f, const char *name); /* NULL if absent */
/* The columns as one struct node (borrowed). */
HFDS_EXTERN const hfds_feature *hfds_features_root(const hfds_features *f);

/* ---------------------------------------------------------------------------------- */
/* JSON                                                                                  */

/* Output flags */
#define HFDS_FEATURES_SEQUENCE 1u /* write "Sequence" instead of "List" (readers < datasets 4.0):
                                     List(x) -> Sequence(x); a variable-length list of a dict
                                     -> the legacy [dict] form; a fixed-length list of a dict
                                     has no old form and stays List; LargeList unchanged */

/*
 * Parses the Features dict JSON (`{"col": {"dtype": "int8", "_type": "Value"}, ...}`).
 * Accepts "Sequence" (of a dict: a dict of Lists, length kept), the legacy `[feature]` list
 * form, defaults written out (e.g. "decode": true), ClassLabel "num_classes" (names
 * "0".."n-1" when no names), and ignores "id": null.
 * Errors: HFDS_EPARSE (malformed JSON with line:column; wrong shape; unknown "_type"), with
 * the JSON path ("features.grid.shape: expected an array of integers"), HFDS_EUNSUPPORTED,
 * HFDS_ELIMIT (nesting deeper than 64), HFDS_ENOMEM.
 */
HFDS_EXTERN int hfds_features_parse_json(hfds_features **out, const char *json, size_t len, hfds_error *err);

/* Parses the `huggingface` key value: {"info": {"features": {...}}, ...}.
 * Errors as above; HFDS_ENOTFOUND when there is no info.features. */
HFDS_EXTERN int hfds_features_parse_hf_metadata(hfds_features **out, const char *json, size_t len, hfds_error *err);

/* Prints the Features dict as Python json.dumps(features.to_dict()) does. *out is
 * NUL-terminated; len_out (may be NULL) gets its length. */
HFDS_EXTERN int hfds_features_to_json(char **out, size_t *len_out, const hfds_features *f,
	unsigned flags, hfds_error *err);

/* One feature as its to_dict JSON (for messages, or a struct as a plain object). */
HFDS_EXTERN int hfds_feature_to_json(char **out, size_t *len_out, const hfds_feature *f,
	unsigned flags, hfds_error *err);

/* The `huggingface` key-value text: {"info": {"features": <to_json>}} */
HFDS_EXTERN int hfds_features_hf_metadata(char **out, size_t *len_out, const hfds_features *f,
	unsigned flags, hfds_error *err);

/* ---------------------------------------------------------------------------------- */
/* Arrow                                                                                 */

#define HFDS_FEATURES_ARROW_HF_METADATA 2u /* attach the `huggingface` key to the schema metadata */

/*
 * The Arrow storage schema: a struct ("+s", not nullable, no name) with one nullable child
 * per column. ClassLabel -> int64; List(x) -> "+l" with child "item"; List(x, length=n) ->
 * "+w:n"; LargeList -> "+L"; ArrayND -> N-1 nested "+l" (variable size) over the dtype,
 * with field metadata ARROW:extension:name "datasets.features.features.Array2DExtensionType"
 * and ARROW:extension:metadata "[[10, 69], \"int8\"]"; Audio/Image/Video/media ->
 * struct<bytes: binary, path: string>; Translation -> struct of strings (sorted);
 * Json -> string with the arrow.json extension name. With HFDS_FEATURES_ARROW_HF_METADATA
 * (flags may also carry HFDS_FEATURES_SEQUENCE for the JSON) the schema metadata holds
 * `huggingface`. Errors: HFDS_ENOMEM.
 */
HFDS_EXTERN int hfds_features_to_arrow_schema(struct ArrowSchema *out, const hfds_features *f,
	unsigned flags, hfds_error *err);

/* The storage type of one feature as a schema node named `name`. */
HFDS_EXTERN int hfds_feature_to_arrow_schema(struct ArrowSchema *out, const hfds_feature *f,
	const char *name, hfds_error *err);

/*
 * Features of an Arrow struct schema, as `Features.from_arrow_schema` finds them: if the
 * schema metadata has `huggingface` with info.features, each column uses its metadata
 * feature when the storage schema regenerated from it equals the actual field (name, type,
 * nullability, struct child names; list child names ignored); every other column is
 * inferred: struct -> dict, list -> List, fixed_size_list -> List(length=n), large_list ->
 * LargeList, ArrayXD / arrow.json extensions -> ArrayXD / Json, else Value(<arrow type>).
 * Errors: HFDS_EUNSUPPORTED (an Arrow type with no datasets equivalent, naming the column,
 * e.g. fixed_size_binary), HFDS_EPARSE (bad `huggingface` JSON), HFDS_EINVAL (not a struct).
 */
HFDS_EXTERN int hfds_features_from_arrow_schema(hfds_features **out, const struct ArrowSchema *schema,
	hfds_error *err);

/* Inference only (ignores the `huggingface` metadata; extension metadata is still used). */
HFDS_EXTERN int hfds_features_infer(hfds_features **out, const struct ArrowSchema *schema, hfds_error *err);

/* ---------------------------------------------------------------------------------- */
/* Comparison                                                                            */

/*
 * Returns 0 when a and b are equal (same columns in the same order, same features),
 * HFDS_ECONFLICT otherwise with a message naming the first differing column:
 *   "column 'label': {"names": ["a", "b"], "_type": "ClassLabel"} vs {"dtype": "int64", "_type": "Value"}"
 *   "column 'x' is missing from the second" / "columns in a different order: ..."
 * Errors: HFDS_ECONFLICT, HFDS_ENOMEM.
 */
HFDS_EXTERN int hfds_features_compare(const hfds_features *a, const hfds_features *b, hfds_error *err);
/* 1 when equal, 0 otherwise. */
HFDS_EXTERN int hfds_features_equal(const hfds_features *a, const hfds_features *b);
HFDS_EXTERN int hfds_feature_equal(const hfds_feature *a, const hfds_feature *b);

/* ---------------------------------------------------------------------------------- */
/* YAML (dataset card `dataset_info.features`, datasets-format.md §4.2)                 */

typedef enum hfds_fnode_kind {
	HFDS_FNODE_NULL = 1,  /* null (an Array's None first dimension) */
	HFDS_FNODE_BOOL,      /* str "true" / "false" */
	HFDS_FNODE_INT,       /* str holds the decimal text, num the value */
	HFDS_FNODE_STR,       /* a string: emit quoted when a plain scalar would read as another
	                         type ('0', 'true', 'null', '1.5', ...) */
	HFDS_FNODE_SEQ,       /* items[0..count) */
	HFDS_FNODE_MAP        /* keys[i] -> items[i], ordered */
} hfds_fnode_kind;

/* A small YAML-ready tree. Scalars always have `str` set. `plain` is for trees built by a
 * YAML parser (1 = the scalar was unquoted, so "0", "null", "true" are resolved by YAML
 * rules); trees made by hfds_features_to_yaml set it to 0. Map keys are always strings:
 * an emitter must quote keys such as '0' (ClassLabel ids), as PyYAML does.
 * Ownership: a node owns its keys, items and str; free the root with hfds_fnode_free. */
typedef struct hfds_fnode {
	hfds_fnode_kind kind;
	char *str;
	int64_t num;
	int plain;
	size_t count;
	char **keys;
	struct hfds_fnode **items;
} hfds_fnode;

/*
 * The `features:` list of the card, exactly as `Features._to_yaml_list()` builds it:
 * a SEQ of MAPs {name: col, dtype: ...} / {name: col, list: ..., length: n} /
 * {name: col, struct: [...]}; ClassLabel names as a map with string keys '0'..'n-1'.
 * HFDS_FEATURES_SEQUENCE writes `sequence:` for lists.
 */
HFDS_EXTERN int hfds_features_to_yaml(hfds_fnode **out, const hfds_features *f, unsigned flags, hfds_error *err);

/* The reverse (`Features._from_yaml_list`): accepts `list:`, `large_list:`, `sequence:`
 * (a sequence of fields = dict of lists), `struct:`, `dtype:` forms. Errors: HFDS_EPARSE
 * with the path ("features[2].dtype: unknown type 'foo'"), HFDS_EUNSUPPORTED, HFDS_ENOMEM. */
HFDS_EXTERN int hfds_features_from_yaml(hfds_features **out, const hfds_fnode *list, hfds_error *err);

/* Tree constructors for YAML parsers (NULL when out of memory; str copied). */
HFDS_EXTERN hfds_fnode *hfds_fnode_scalar(hfds_fnode_kind kind, const char *str, int plain);
HFDS_EXTERN hfds_fnode *hfds_fnode_int(int64_t v);
HFDS_EXTERN hfds_fnode *hfds_fnode_seq(void);
HFDS_EXTERN hfds_fnode *hfds_fnode_map(void);
/* Appends to a SEQ (key NULL) or MAP; takes `item` (freed on failure). */
HFDS_EXTERN int hfds_fnode_push(hfds_fnode *parent, const char *key, hfds_fnode *item, hfds_error *err);
/* MAP lookup (NULL when absent). */
HFDS_EXTERN const hfds_fnode *hfds_fnode_get(const hfds_fnode *map, const char *key);
HFDS_EXTERN void hfds_fnode_free(hfds_fnode *n);

#ifdef __cplusplus
}
#endif
#endif
