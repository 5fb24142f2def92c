/*
 * Arrow schema -> Parquet schema for the writer (spec parquet.md §1.3, datasets-format.md §2.2).
 *
 * The result has two views of the same tree:
 *  - `nodes`: the SchemaElement list in depth-first order (root first), for the footer;
 *  - `leaves`: one entry per leaf column with its max levels, physical type, how Arrow
 *    values become Parquet values, its sort order, and the path of Arrow nodes from the
 *    top-level column down to the leaf (what the shredder walks).
 */
#ifndef HFDS_PQ_SCHEMA_W_H
#define HFDS_PQ_SCHEMA_W_H

#include <stdint.h>
#include "hfds/arrow_abi.h"
#include "hfds/common.h"

/* Kind of an Arrow node on a leaf's path. */
enum pqw_kind { PQW_STRUCT, PQW_LIST, PQW_LARGE_LIST, PQW_FIXED_LIST, PQW_LEAF };

/* How Arrow leaf values are gathered into the dense column buffer (shred.h). The dense
 * values keep their Arrow width; the encoders (enc.h) widen them by `src`. */
enum pqw_conv {
	PQV_BOOL,                     /* bitmap -> dense bitmap */
	PQV_COPY,                     /* fixed-width values copied (value_width bytes) */
	PQV_TS_S,                     /* timestamp[s] -> int64 milliseconds */
	PQV_BIN32, PQV_BIN64,         /* binary/string with int32 / int64 offsets -> BIN64 */
	PQV_NULL,                     /* Arrow null type: every slot null, no buffers */
	PQV_DEC                       /* decimal LE words (arrow_width) -> BE FLBA (value_width) */
};

/* Statistics sort order of a leaf (spec §1.8). */
enum pqw_sort {
	PQS_NONE, PQS_BOOL, PQS_I32, PQS_U32, PQS_I64, PQS_U64, PQS_FLOAT, PQS_DOUBLE,
	PQS_F16, PQS_BYTES,
	PQS_DEC              /* big-endian two's complement FLBA: signed */
};

typedef struct pqw_node {
	char *name;
	int ptype;           /* enum pq_type, -1 for groups */
	int type_length;     /* FLBA width, 0 otherwise */
	int repetition;      /* enum pq_repetition */
	int num_children;    /* groups only */
	int converted;       /* enum pq_converted_type, -1 = none */
	int logical;         /* enum pq_logical_type, 0 = none */
	int lt_bits, lt_signed;  /* INTEGER */
	int lt_unit, lt_utc;     /* TIMESTAMP */
	int precision, scale;    /* DECIMAL */
} pqw_node;

typedef struct pqw_step {
	int kind;            /* enum pqw_kind */
	int nullable;
	int child;           /* struct: index of the child that leads to the leaf */
	int64_t fixed_size;  /* PQW_FIXED_LIST: list size; leaves: dense value width */
	int def;             /* definition level of the parent context when this node is reached */
	int rep;             /* lists: repetition level of continuation entries */
} pqw_step;

typedef struct pqw_leaf {
	int top;             /* index of the top-level column */
	int nsteps;
	pqw_step *steps;     /* steps[0]: the top-level array, steps[nsteps-1]: the leaf */
	int max_def, max_rep;
	int ptype, type_length;
	int conv;            /* enum pqw_conv */
	int sort;            /* enum pqw_sort */
	int is_string;       /* UTF-8 validated */
	int is_binary;       /* BYTE_ARRAY/FLBA without STRING: PLAIN, uncompressed, no dictionary */
	int src;             /* enum pq_src (enc.h) of the dense values */
	int value_width;     /* bytes per dense value for fixed-width types, 0 for BYTE_ARRAY/BOOLEAN */
	int arrow_width;     /* PQV_DEC: bytes per Arrow decimal value */
	char *path;          /* "a.list.element" */
	int npath;
	char **path_parts;
	char *top_name;
} pqw_leaf;

typedef struct pqw_schema {
	int nnodes;
	pqw_node *nodes;     /* nodes[0] is the root */
	int nleaves;
	pqw_leaf *leaves;
	int ncolumns;        /* top-level columns */
} pqw_schema;

/* Converts a struct ("+s") ArrowSchema. HFDS_EINVAL names the column on unsupported types. */
int pqw_schema_build(pqw_schema **out, const struct ArrowSchema *schema, hfds_error *err);
void pqw_schema_free(pqw_schema *s);

#endif
