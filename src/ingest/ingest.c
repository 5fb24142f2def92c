/*
 * The ingest driver: reads the input into a carry buffer, cuts it into blocks of about
 * block_bytes at record boundaries, parses them on the pool through a ring of threads + 1
 * slots (one parser and one Arrow builder each; a slot is cut and queued again as soon as
 * its batch is handed out) and hands the batches out in input order. Block
 * boundaries depend only on block_bytes and the data, never on the thread count, so the
 * batches (and every file written from them) are the same for any number of threads.
 * A record that does not end within max_line bytes is refused while it is read, so memory
 * stays bounded even for input without newlines (</dev/zero).
 */
#include "hfds/ingest.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "ingest/ingest_int.h"
#include "util/zread.h"
#include "util/alloc.h"
#include "util/pool.h"
#include "util/try.h"

#define READ_CHUNK (64u << 10)
#define INFER_MAX (64u << 20) /* most input bytes read ahead for the inference sample */

typedef struct slot {
	struct hfds_ingest *in;
	char *buf;                 /* the block's input, until it is parsed */
	size_t cap, len;
	jl_parser *jl;
	csv_parser *csv;
	hfds_taskgroup *group;     /* this block's parse task */
	struct ArrowArray batch;
	size_t bytes;
	uint64_t lines, ignored;
	ing_fail fail;
} slot;

struct hfds_ingest {
	char *path;
	hfds_ingest_options o;
	char *null_value;
	int csv;
	hfds_features *features;
	struct ArrowSchema schema;
	ing_shared sh;
	size_t *csv_map;
	hfds_zread *src;
	int src_eof;
	size_t cut_bytes;          /* input bytes per block (size_blocks) */
	char *carry;
	size_t carry_len, carry_cap;
	uint64_t line_base;        /* newlines before the next block handed out */
	hfds_pool *pool;
	slot *slots;               /* a ring of nslots blocks in input order */
	size_t nslots;             /* threads + 1 (1 on one thread) */
	size_t head;               /* the slot handed out next */
	size_t queued;             /* slots from head on that are cut and submitted */
	size_t handed;             /* blocks handed out, for trim_heap */
	hfds_error pending;        /* an error found while cutting, reported after the blocks before it */
	pthread_mutex_t spare_mu;  /* guards spare and nspare: parse tasks return their input there */
	struct spare { char *buf; size_t cap; } *spare; /* input buffers of parsed blocks, for reuse */
	size_t nspare;
	int input_done;
	int failed;
	uint64_t rows, ignored;
	hfds_error last;           /* for the ArrowArrayStream */
};

int ing_failf(ing_fail *f, int code, uint64_t line, uint64_t col, const char *fmt, ...)
{
	va_list ap;
	if (f->code)
		return f->code;
	f->code = code;
	f->line = line;
	f->col = col;
	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
	va_end(ap);
	return code;
}

void ing_place(const char *block, const char *at, uint64_t *line, uint64_t *col)
{
	const char *ls = block, *q;
	uint64_t l = 1;
	for (q = block; (q = memchr(q, '\n', (size_t)(at - q))) != NULL; q++) {
		l++;
		ls = q + 1;
	}
	*line = l;
	*col = (uint64_t)(at - ls) + 1;
}

void hfds_ingest_options_init(hfds_ingest_options *o)
{
	memset(o, 0, sizeof(*o));
	o->version = HFDS_INGEST_OPTIONS_VERSION;
	o->block_bytes = 8u << 20;
	o->max_line = 256u << 20;
	o->max_depth = 64;
	o->infer_rows = 1000;
	o->quote = '"';
	o->header = 1;
}

static int has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && !strcasecmp(s + n - m, suf);
}

static int looks_csv(const char *path, int *tsv)
{
	char base[4096];
	size_t n;
	snprintf(base, sizeof(base), "%s", path);
	n = strlen(base);
	if (has_suffix(base, ".gz"))
		base[n - 3] = '\0';
	else if (has_suffix(base, ".zst"))
		base[n - 4] = '\0';
	*tsv = has_suffix(base, ".tsv");
	return *tsv || has_suffix(base, ".csv");
}

static int fill_carry(hfds_ingest *in, size_t want, hfds_error *err)
{
	int rc = 0;
	while (in->carry_len < want && !in->src_eof) {
		size_t got, room;
		if (in->carry_cap - in->carry_len < READ_CHUNK) {
			size_t cap = in->carry_cap ? in->carry_cap : want + READ_CHUNK;
			char *nc;
			while (cap - in->carry_len < READ_CHUNK)
				cap *= 2;
			nc = hfds_realloc(in->carry, cap);
			HFDS_FAIL_IF(!nc, HFDS_ENOMEM, err, "out of memory");
			in->carry = nc;
			in->carry_cap = cap;
		}
		room = in->carry_cap - in->carry_len;
		if (room > want - in->carry_len + READ_CHUNK)
			room = want - in->carry_len + READ_CHUNK;
		HFDS_TRY(hfds_zread_read(in->src, in->carry + in->carry_len, room, &got, err));
		if (got == 0)
			in->src_eof = 1;
		in->carry_len += got;
	}
done:
	return rc;
}

/* Offset just past the last record boundary in carry[0..lim), or 0. */
static size_t last_boundary(const hfds_ingest *in, size_t lim)
{
	const char *s = in->carry;
	if (!in->csv || !memchr(s, in->o.quote, lim)) {
		const char *nl = memrchr(s, '\n', lim);
		return nl ? (size_t)(nl - s) + 1 : 0;
	}
	{
		size_t i, last = 0;
		int inq = 0;
		for (i = 0; i < lim; i++) {
			if (s[i] == in->o.quote)
				inq = !inq;
			else if (s[i] == '\n' && !inq)
				last = i + 1;
		}
		return last;
	}
}

static uint64_t count_lines(const char *s, size_t n)
{
	uint64_t c = 0;
	const char *end = s + n;
	while ((s = memchr(s, '\n', (size_t)(end - s))) != NULL) {
		c++;
		s++;
	}
	return c;
}

/* Newlines in the blocks cut but not handed out yet: they come before the carry. Only
 * needed for the place of a cut error, so the blocks are waited for and counted then. */
static uint64_t queued_lines(hfds_ingest *in)
{
	uint64_t n = 0;
	for (size_t i = 0; i < in->queued; i++) {
		slot *sl = &in->slots[(in->head + i) % in->nslots];
		hfds_taskgroup_wait(sl->group);
		n += sl->lines;
	}
	return n;
}

/* Cuts the next block off the carry: *cut bytes (0 at the end of the input). */
static int cut_block(hfds_ingest *in, size_t *cut, hfds_error *err)
{
	int rc = 0;
	size_t target = in->cut_bytes;
	*cut = 0;
	for (;;) {
		size_t lim, b;
		HFDS_TRY(fill_carry(in, target, err));
		if (in->carry_len == 0)
			break;
		if (in->src_eof && in->carry_len <= target) { /* the rest, last record without newline included */
			*cut = in->carry_len;
			break;
		}
		lim = in->carry_len < target ? in->carry_len : target;
		if ((b = last_boundary(in, lim)) > 0) {
			*cut = b;
			break;
		}
		if (target > in->o.max_line) {
			uint64_t line = in->line_base + queued_lines(in) + 1;
			HFDS_FAIL(HFDS_ELIMIT, err, "%s:%llu: a %s longer than %zu bytes (the limit; raise it with --max-line)",
				in->path, (unsigned long long)line, in->csv ? "record" : "line", in->o.max_line);
		}
		target = target > in->o.max_line / 2 ? in->o.max_line + 1 : target * 2;
	}
done:
	return rc;
}

/* Moves the block carry[0..cut) into the slot by handing the slot the carry buffer; the
 * rest of the carry moves to a spare buffer (one a parsed block gave back), which becomes
 * the carry. The input buffers in use are the carry plus the blocks not parsed yet. */
static int take_block(hfds_ingest *in, slot *sl, size_t cut, hfds_error *err)
{
	int rc = 0;
	size_t rest = in->carry_len - cut, want = in->cut_bytes + READ_CHUNK;
	char *next = NULL;
	size_t next_cap = 0;
	pthread_mutex_lock(&in->spare_mu);
	if (in->nspare > 0) {
		next = in->spare[--in->nspare].buf;
		next_cap = in->spare[in->nspare].cap;
	}
	pthread_mutex_unlock(&in->spare_mu);
	if (next_cap < rest + READ_CHUNK) {
		next_cap = rest + READ_CHUNK > want ? rest + READ_CHUNK : want;
		hfds_free(next);
		next = hfds_malloc(next_cap);
		HFDS_FAIL_IF(!next, HFDS_ENOMEM, err, "out of memory");
	}
	memcpy(next, in->carry + cut, rest);
	sl->buf = in->carry;
	sl->cap = in->carry_cap;
	sl->len = cut;
	in->carry = next;
	in->carry_cap = next_cap;
	in->carry_len = rest;
done:
	return rc;
}

static void parse_one(slot *sl)
{
	memset(&sl->fail, 0, sizeof(sl->fail));
	sl->ignored = 0;
	if (sl->csv)
		csv_parse_block(sl->csv, sl->buf, sl->len, &sl->batch, &sl->bytes, &sl->lines, &sl->fail);
	else
		jl_parse_block(sl->jl, sl->buf, sl->len, &sl->batch, &sl->bytes, &sl->lines, &sl->ignored, &sl->fail);
}

/* A parsed block's bytes are dead (every value was copied into its batch): its buffer goes
 * back to the spares at once, for the next cut. */
static void parse_task(void *arg)
{
	slot *sl = arg;
	hfds_ingest *in = sl->in;
	parse_one(sl);
	pthread_mutex_lock(&in->spare_mu);
	in->spare[in->nspare].buf = sl->buf;
	in->spare[in->nspare++].cap = sl->cap;
	pthread_mutex_unlock(&in->spare_mu);
	sl->buf = NULL;
	sl->cap = 0;
}

/*
 * Keeps every free slot of the ring parsing: each block is cut and queued as soon as its
 * slot's batch was handed out, so the pool always has blocks to parse while the caller
 * writes (no round in which the parsers wait for the slowest block or for the caller).
 * An error while cutting stops the cuts; it is reported once the blocks before it are out.
 */
static int fill_ring(hfds_ingest *in, hfds_error *err)
{
	int rc = 0;
	while (!in->input_done && in->queued < in->nslots) {
		slot *sl = &in->slots[(in->head + in->queued) % in->nslots];
		size_t cut;
		if (cut_block(in, &cut, &in->pending) < 0 || cut == 0) {
			in->input_done = 1;
			break;
		}
		HFDS_TRY(take_block(in, sl, cut, err));
		HFDS_TRY(hfds_taskgroup_submit(sl->group, parse_task, sl, err));
		in->queued++;
	}
done:
	return rc;
}

/*
 * Every TRIM_BYTES of input handed out, free heap pages go back to the system. glibc keeps
 * freed heap memory resident, and over a long stream the batches, pages and buffers of
 * varying sizes that come and go fragment it: 5 GB of JSON Lines at 1 thread grew to 86 MB
 * of RSS while the live heap stayed at 50 MB (heaptrack), 58 MB with this. Trimming after
 * every block cost ~15% CPU (the pages fault back in); one trim per 128 MiB costs little.
 */
#define TRIM_BYTES (128u << 20)
static void trim_heap(hfds_ingest *in, size_t len)
{
#if defined(__GLIBC__)
	size_t before = in->handed / TRIM_BYTES;
	in->handed += len;
	if (in->handed / TRIM_BYTES != before)
		malloc_trim(0);
#else
	(void)in;
	(void)len;
#endif
}

int hfds_ingest_next(hfds_ingest *in, struct ArrowArray *out, hfds_error *err)
{
	int rc = 0;
	memset(out, 0, sizeof(*out));
	HFDS_FAIL_IF(in->failed, HFDS_ESTATE, err, "%s: the reader failed earlier", in->path);
	for (;;) {
		slot *sl;
		HFDS_TRY(fill_ring(in, err));
		if (in->queued == 0) {
			if (in->pending.code) {
				in->failed = 1;
				HFDS_FAIL(in->pending.code, err, "%s", in->pending.message);
			}
			return HFDS_ITEROVER;
		}
		sl = &in->slots[in->head];
		hfds_taskgroup_wait(sl->group);
		in->head = (in->head + 1) % in->nslots;
		in->queued--;
		trim_heap(in, sl->len);
		if (sl->fail.code) {
			in->failed = 1;
			if (sl->fail.col)
				HFDS_FAIL(sl->fail.code, err, "%s:%llu:%llu: %s", in->path,
					(unsigned long long)(in->line_base + sl->fail.line), (unsigned long long)sl->fail.col, sl->fail.msg);
			HFDS_FAIL(sl->fail.code, err, "%s:%llu: %s", in->path, (unsigned long long)(in->line_base + sl->fail.line),
				sl->fail.msg);
		}
		in->line_base += sl->lines;
		in->ignored += sl->ignored;
		if (!sl->batch.release)
			continue;
		in->rows += (uint64_t)sl->batch.length;
		*out = sl->batch;
		memset(&sl->batch, 0, sizeof(sl->batch));
		return 0;
	}
done:
	if (rc < 0)
		in->failed = 1;
	return rc;
}

static int check_labels(const hfds_feature *f, const char *name, hfds_error *err)
{
	size_t i, j, n;
	switch (hfds_feature_get_kind(f)) {
	case HFDS_FEATURE_CLASS_LABEL:
		n = hfds_feature_count(f);
		for (i = 0; i < n; i++)
			for (j = 0; j < i; j++)
				if (!strcmp(hfds_feature_name_at(f, i), hfds_feature_name_at(f, j)))
					return hfds_error_set(err, HFDS_EINVAL, "features: column '%s': ClassLabel name '%s' appears twice",
						name, hfds_feature_name_at(f, i));
		return 0;
	case HFDS_FEATURE_LIST:
	case HFDS_FEATURE_LARGE_LIST:
		return check_labels(hfds_feature_item(f), name, err);
	case HFDS_FEATURE_STRUCT:
		for (i = 0; i < hfds_feature_count(f); i++) {
			int rc = check_labels(hfds_feature_child_at(f, i), name, err);
			if (rc < 0)
				return rc;
		}
		return 0;
	default:
		return 0;
	}
}

static void strip_bom(hfds_ingest *in)
{
	if (in->carry_len >= 3 && !memcmp(in->carry, "\xEF\xBB\xBF", 3)) {
		memmove(in->carry, in->carry + 3, in->carry_len - 3);
		in->carry_len -= 3;
	}
}

/* Bytes of the first record in the carry (its newline included); 0 while it is not whole. */
static size_t first_record(const hfds_ingest *in)
{
	const char *e;
	int open = 0;
	if (in->csv)
		e = csv_record_end(in->carry, in->carry + in->carry_len, in->o.quote, &open);
	else if ((e = memchr(in->carry, '\n', in->carry_len)) != NULL)
		e++;
	else
		e = in->carry + in->carry_len;
	if ((!in->src_eof && (e == in->carry || e[-1] != '\n')) || (in->csv && open))
		return 0;
	return (size_t)(e - in->carry);
}

/* Grows the carry until it holds the first whole record (the CSV header, or the first
 * JSON line for inference), however many blocks that takes, and refuses one longer than
 * max_line. */
static int fill_first_record(hfds_ingest *in, hfds_error *err)
{
	int rc = 0;
	size_t n;
	while ((n = first_record(in)) == 0 && !in->src_eof && in->carry_len <= in->o.max_line)
		HFDS_TRY(fill_carry(in, in->carry_len * 2 > in->o.max_line + 1 ? in->o.max_line + 1 : in->carry_len * 2, err));
	HFDS_FAIL_IF(n > in->o.max_line || (n == 0 && in->carry_len > in->o.max_line), HFDS_ELIMIT, err,
		"%s:1: a %s longer than %zu bytes (the limit; raise it with --max-line)", in->path,
		in->csv ? (in->o.header ? "header" : "record") : "line", in->o.max_line);
done:
	return rc;
}

/* CSV: header and column mapping (and features when none were given). */
static int open_csv(hfds_ingest *in, hfds_features **feats, hfds_error *err)
{
	int rc = 0;
	char **names = NULL;
	size_t ncol = 0, i, j, nf;
	hfds_features *inferred = NULL;
	/* only whole records: the carry may end inside one (the header is whole, so b > 0) */
	size_t b = in->src_eof ? in->carry_len : last_boundary(in, in->carry_len);
	HFDS_TRY(ing_infer_csv(&inferred, &names, &ncol, in->path, in->carry, b, &in->o, err));
	if (!*feats) {
		*feats = inferred;
		inferred = NULL;
	}
	nf = hfds_features_count(*feats);
	in->csv_map = hfds_calloc(nf ? nf : 1, sizeof(*in->csv_map));
	HFDS_FAIL_IF(!in->csv_map, HFDS_ENOMEM, err, "out of memory");
	for (i = 0; i < nf; i++) {
		const char *fname = hfds_features_name_at(*feats, i);
		const hfds_feature *f = hfds_features_at(*feats, i);
		hfds_feature_kind k = hfds_feature_get_kind(f);
		HFDS_FAIL_IF(k != HFDS_FEATURE_VALUE && k != HFDS_FEATURE_CLASS_LABEL, HFDS_EUNSUPPORTED, err,
			"%s: column '%s': %s cannot be read from CSV (use JSON Lines for nested features)", in->path, fname,
			hfds_feature_type_name(f));
		if (!in->o.header) {
			HFDS_FAIL_IF(i >= ncol, HFDS_EINVAL, err, "%s: %zu columns but %zu features", in->path, ncol, nf);
			in->csv_map[i] = i;
			continue;
		}
		for (j = 0; j < ncol && strcmp(names[j], fname); j++)
			;
		HFDS_FAIL_IF(j == ncol, HFDS_EINVAL, err, "%s:1: no column '%s' in the header (the features name it)", in->path, fname);
		in->csv_map[i] = j;
	}
	if (in->o.extra_keys != HFDS_INGEST_EXTRA_IGNORE)
		for (j = 0; j < ncol; j++) {
			for (i = 0; i < nf && in->csv_map[i] != j; i++)
				;
			HFDS_FAIL_IF(i == nf, HFDS_EINVAL, err, "%s:1: column %zu ('%s') is not in the features (pass --ignore-extra to drop it)",
				in->path, j + 1, names[j]);
		}
	in->sh.csv_ncolumns = ncol;
	in->sh.csv_map = in->csv_map;
	if (in->o.header) { /* drop the header record */
		int open;
		size_t h = (size_t)(csv_record_end(in->carry, in->carry + in->carry_len, in->o.quote, &open) - in->carry);
		in->line_base += count_lines(in->carry, h);
		memmove(in->carry, in->carry + h, in->carry_len - h);
		in->carry_len -= h;
	}
done:
	if (names)
		for (i = 0; i < ncol; i++)
			hfds_free(names[i]);
	hfds_free(names);
	hfds_features_free(inferred);
	return rc;
}

/*
 * Input bytes per block, so that a block's batch takes about block_bytes: memory is
 * bounded by the batches in flight, and dense input (small numbers in CSV become 8-byte
 * values) would make them larger than the blocks. The Arrow bytes per input byte are
 * measured by parsing the sample (the first infer_rows records, as for inference) once;
 * a sample that fails to parse leaves the blocks at block_bytes (its error comes in
 * order later). The sample is the same for any thread count, so the cuts, batches and
 * files stay the same too.
 */
static void size_blocks(hfds_ingest *in)
{
	const char *s = in->carry, *end = in->carry + in->carry_len, *e;
	slot *sl = &in->slots[0];
	size_t rows = 0;
	in->cut_bytes = in->o.block_bytes;
	while (s < end && rows < in->o.infer_rows) {
		int open = 0;
		if (in->csv)
			e = csv_record_end(s, end, in->o.quote, &open);
		else
			e = (e = memchr(s, '\n', (size_t)(end - s))) != NULL ? e + 1 : end;
		if (open || (e[-1] != '\n' && !in->src_eof))
			break;
		s = e;
		rows++;
	}
	if (s == in->carry)
		return;
	sl->buf = in->carry;
	sl->len = (size_t)(s - in->carry);
	parse_one(sl);
	if (!sl->fail.code && sl->bytes > sl->len) {
		double ratio = (double)sl->len / (double)sl->bytes;
		in->cut_bytes = (size_t)((double)in->o.block_bytes * ratio);
		if (in->cut_bytes == 0)
			in->cut_bytes = 1;
	}
	if (sl->batch.release)
		sl->batch.release(&sl->batch);
	memset(&sl->fail, 0, sizeof(sl->fail));
	sl->buf = NULL;
	sl->len = 0;
}

int hfds_ingest_open(hfds_ingest **out, const char *path, const hfds_features *features, const hfds_ingest_options *o,
	hfds_error *err)
{
	int rc = 0, tsv = 0, threads;
	hfds_ingest *in = NULL;
	hfds_features *feats = NULL;
	size_t i;
	*out = NULL;
	HFDS_FAIL_IF(o && o->version != HFDS_INGEST_OPTIONS_VERSION, HFDS_EINVAL, err,
		"hfds_ingest_options version %u (expected %u)", o->version, HFDS_INGEST_OPTIONS_VERSION);
	in = hfds_calloc(1, sizeof(*in));
	HFDS_FAIL_IF(!in, HFDS_ENOMEM, err, "out of memory");
	hfds_error_init(&in->last);
	hfds_error_init(&in->pending);
	pthread_mutex_init(&in->spare_mu, NULL);
	if (o)
		in->o = *o;
	else
		hfds_ingest_options_init(&in->o);
	if (!in->o.block_bytes)
		in->o.block_bytes = 8u << 20;
	if (!in->o.max_line)
		in->o.max_line = 256u << 20;
	if (in->o.max_depth <= 0)
		in->o.max_depth = 64;
	if (!in->o.infer_rows)
		in->o.infer_rows = 1000;
	if (!in->o.quote)
		in->o.quote = '"';
	in->path = hfds_strdup(path);
	in->null_value = hfds_strdup(in->o.null_value ? in->o.null_value : "");
	HFDS_FAIL_IF(!in->path || !in->null_value, HFDS_ENOMEM, err, "out of memory");
	in->o.null_value = in->null_value;
	in->csv = in->o.format == HFDS_INGEST_CSV || (in->o.format == HFDS_INGEST_AUTO && looks_csv(path, &tsv));
	if (!in->o.delimiter)
		in->o.delimiter = tsv ? '\t' : ',';
	HFDS_FAIL_IF(in->csv && (in->o.delimiter == in->o.quote || in->o.delimiter == '\n' || in->o.delimiter == '\r'),
		HFDS_EINVAL, err, "CSV delimiter and quote must differ and not be a line break");
	if (features) {
		HFDS_TRY(hfds_features_copy(&feats, features, err));
		for (i = 0; i < hfds_features_count(feats); i++)
			HFDS_TRY(check_labels(hfds_features_at(feats, i), hfds_features_name_at(feats, i), err));
	}
	HFDS_TRY(hfds_zread_open(&in->src, path, err));
	/* the first block is read now: it holds the header and the inference sample */
	HFDS_TRY(fill_carry(in, in->o.block_bytes, err));
	strip_bom(in);
	HFDS_TRY(fill_first_record(in, err));
	/* the inference sample is infer_rows lines, read beyond the first block if need be */
	while (!feats && !in->src_eof && in->carry_len < INFER_MAX && count_lines(in->carry, in->carry_len) <= in->o.infer_rows)
		HFDS_TRY(fill_carry(in, in->carry_len + READ_CHUNK, err));
	if (in->csv) {
		HFDS_TRY(open_csv(in, &feats, err));
	} else if (!feats) {
		size_t b = in->carry_len;
		if (!in->src_eof)
			b = last_boundary(in, in->carry_len); /* > 0: the first line is whole */
		HFDS_TRY(ing_infer_jsonl(&feats, path, in->carry, b, in->o.infer_rows, &in->o, err));
	}
	in->features = feats;
	feats = NULL;
	HFDS_TRY(hfds_features_to_arrow_schema(&in->schema, in->features, HFDS_FEATURES_ARROW_HF_METADATA, err));
	in->sh.opt = &in->o;
	in->sh.features = in->features;
	in->sh.schema = &in->schema;
	threads = in->o.threads > 0 ? in->o.threads : hfds_cpu_count();
	HFDS_TRY(hfds_pool_new(&in->pool, threads, err));
	/* one block more than the pool parses at once: the caller writes one batch while every
	 * thread has a block (one pool thread is the caller's, which helps while it waits).
	 * 2 x threads was no faster on 2 cores and held two batches more (+7 MB at 4 MiB blocks). */
	in->nslots = threads > 1 ? (size_t)threads + 1 : 1;
	in->slots = hfds_calloc(in->nslots, sizeof(*in->slots));
	in->spare = hfds_calloc(in->nslots, sizeof(*in->spare));
	HFDS_FAIL_IF(!in->slots || !in->spare, HFDS_ENOMEM, err, "out of memory");
	for (i = 0; i < in->nslots; i++) {
		in->slots[i].in = in;
		HFDS_TRY(hfds_taskgroup_new(&in->slots[i].group, in->pool, err));
		if (in->csv)
			HFDS_TRY(csv_parser_new(&in->slots[i].csv, &in->sh, err));
		else
			HFDS_TRY(jl_parser_new(&in->slots[i].jl, &in->sh, err));
	}
	size_blocks(in);
	*out = in;
	in = NULL;
done:
	hfds_features_free(feats);
	hfds_ingest_free(in);
	return rc;
}

const hfds_features *hfds_ingest_features(const hfds_ingest *in)
{
	return in->features;
}

const struct ArrowSchema *hfds_ingest_schema(const hfds_ingest *in)
{
	return &in->schema;
}

uint64_t hfds_ingest_rows(const hfds_ingest *in)
{
	return in->rows;
}

uint64_t hfds_ingest_ignored(const hfds_ingest *in)
{
	return in->ignored;
}

void hfds_ingest_free(hfds_ingest *in)
{
	size_t i;
	if (!in)
		return;
	for (i = 0; in->slots && i < in->nslots; i++)
		hfds_taskgroup_free(in->slots[i].group); /* waits for blocks still being parsed */
	for (i = 0; in->slots && i < in->nslots; i++) {
		slot *sl = &in->slots[i];
		if (sl->batch.release)
			sl->batch.release(&sl->batch);
		jl_parser_free(sl->jl);
		csv_parser_free(sl->csv);
		hfds_free(sl->buf);
	}
	hfds_free(in->slots);
	for (i = 0; in->spare && i < in->nspare; i++)
		hfds_free(in->spare[i].buf);
	hfds_free(in->spare);
	pthread_mutex_destroy(&in->spare_mu);
	hfds_pool_free(in->pool);
	hfds_zread_free(in->src);
	hfds_free(in->carry);
	hfds_free(in->csv_map);
	if (in->schema.release)
		in->schema.release(&in->schema);
	hfds_features_free(in->features);
	hfds_free(in->null_value);
	hfds_free(in->path);
	hfds_free(in);
}

static int stream_schema(struct ArrowArrayStream *st, struct ArrowSchema *out)
{
	hfds_ingest *in = st->private_data;
	hfds_error_init(&in->last);
	return hfds_arrow_schema_copy(out, &in->schema, &in->last) < 0 ? 12 /* ENOMEM */ : 0;
}

static int stream_next(struct ArrowArrayStream *st, struct ArrowArray *out)
{
	hfds_ingest *in = st->private_data;
	int rc;
	hfds_error_init(&in->last);
	rc = hfds_ingest_next(in, out, &in->last);
	if (rc == HFDS_ITEROVER) {
		memset(out, 0, sizeof(*out));
		return 0;
	}
	return rc < 0 ? (rc == HFDS_ENOMEM ? 12 : 5 /* EIO */) : 0;
}

static const char *stream_error(struct ArrowArrayStream *st)
{
	hfds_ingest *in = st->private_data;
	return in->last.code ? in->last.message : NULL;
}

static void stream_release(struct ArrowArrayStream *st)
{
	hfds_ingest_free(st->private_data);
	st->release = NULL;
}

int hfds_ingest_stream(hfds_ingest **in, struct ArrowArrayStream *out, hfds_error *err)
{
	HFDS_ASSERT_ARG(in && *in && out, err);
	out->get_schema = stream_schema;
	out->get_next = stream_next;
	out->get_last_error = stream_error;
	out->release = stream_release;
	out->private_data = *in;
	*in = NULL;
	return 0;
}
