/*
 * Internals shared by the ingest readers: a block parser turns whole lines (records) of
 * input into one Arrow batch; failures are recorded with the line and column inside the
 * block, and the driver (ingest.c) adds the file name and the block's first line number,
 * which only it knows once earlier blocks are counted.
 */
#ifndef HFDS_INGEST_INT_H
#define HFDS_INGEST_INT_H
#include <stddef.h>
#include <stdint.h>

#include "hfds/arrow.h"
#include "hfds/features.h"
#include "hfds/ingest.h"

typedef struct ing_fail {
	int code;         /* 0 = no failure */
	uint64_t line;    /* 1-based within the block */
	uint64_t col;     /* 1-based byte column, 0 = none */
	char msg[512];
} ing_fail;

int ing_failf(ing_fail *f, int code, uint64_t line, uint64_t col, const char *fmt, ...) HFDS_PRINTF(5, 6);

/* Line and column of byte `at` of a block: counts newlines before it. */
void ing_place(const char *block, const char *at, uint64_t *line, uint64_t *col);

typedef struct ing_shared {
	const hfds_ingest_options *opt;
	const hfds_features *features;
	const struct ArrowSchema *schema;   /* storage schema of the features */
	size_t csv_ncolumns;                /* CSV: fields per record */
	const size_t *csv_map;              /* CSV: feature index -> field index */
} ing_shared;

/* Block parsers: block[0..n) holds whole records; *out gets one batch (empty, with no
 * release callback, when the block has only blank lines), *bytes the bytes of its buffers,
 * *lines the newlines in the block, *ignored the keys dropped under
 * HFDS_INGEST_EXTRA_IGNORE. On failure the place is recorded in *fail relative to the block. */
typedef struct jl_parser jl_parser;
int jl_parser_new(jl_parser **out, const ing_shared *sh, hfds_error *err);
void jl_parser_free(jl_parser *p);
int jl_parse_block(jl_parser *p, const char *block, size_t n, struct ArrowArray *out, size_t *bytes,
	uint64_t *lines, uint64_t *ignored, ing_fail *fail);
typedef struct csv_parser csv_parser;
int csv_parser_new(csv_parser **out, const ing_shared *sh, hfds_error *err);
void csv_parser_free(csv_parser *p);
int csv_parse_block(csv_parser *p, const char *block, size_t n, struct ArrowArray *out, size_t *bytes,
	uint64_t *lines, ing_fail *fail);

/* CSV record splitting shared with the driver and inference: the end of the record that
 * starts at s (just past its newline, or end when it is the last one without newline);
 * *open is set when a quote is never closed. */
const char *csv_record_end(const char *s, const char *end, char quote, int *open);
/* Splits one record into fields (spans into the record, or decoded into scratch when
 * quoted with doubled quotes; `src` always points into the record, for error places). Returns the number of fields or -1 (*why). */
typedef struct csv_field {
	const char *p;
	size_t len;
	int quoted;
	const char *src;   /* where the field starts in the record (its opening quote if quoted) */
} csv_field;
typedef struct csv_fields {
	csv_field *f;
	size_t n, cap;
	char *scratch;
	size_t scratch_cap;
} csv_fields;
int csv_split(csv_fields *fs, const char *rec, const char *end, char delim, char quote, const char **why,
	const char **at);
void csv_fields_release(csv_fields *fs);

/* Features inference from a sample (the first records of the input). */
int ing_infer_jsonl(hfds_features **out, const char *name, const char *data, size_t n, size_t max_rows,
	const hfds_ingest_options *o, hfds_error *err);
int ing_infer_csv(hfds_features **out, char ***columns, size_t *ncolumns, const char *name, const char *data,
	size_t n, const hfds_ingest_options *o, hfds_error *err);
#endif
