/*
 * Building a recipe: rows of each config x split are appended to an Arrow builder and
 * handed to the dataset writer, which shards, writes the card and publishes. A media file
 * is read only while its row is built; batches with media are cut at 100 rows (as datasets
 * does for Audio and Image) or once they pass 8 MB, media configs get 8 MB row groups (small
 * fetches for streaming readers), and each split's shard is closed as soon as the split is
 * written, so one Parquet writer is alive at a time. Memory is then a batch plus two row
 * groups of media whatever the size of the dataset (SOUSA-like bench: 52 MB peak RSS, was
 * 175 MB with 16 MB batches, 16 MB row groups and the three splits' writers open together).
 *
 * A batch of large media is one whole row group: the writer ends the row group at the
 * batch's last row and its pages are encoded from the batch's bytes where the builder read
 * them. With 4 MB batches under 8 MB row groups a row group spanned two batches, and the
 * writer had to copy the first batch's bytes before handing it back (and the second's
 * behind them): about one extra copy of every media byte (perf: 1.7% of the first push).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hfds/arrow.h"
#include "recipe/recipe_plan.h"
#include "recipe/recipe_publish.h"
#include "util/alloc.h"
#include "util/try.h"

#define MEDIA_BATCH_ROWS 100
#define LABEL_BATCH_ROWS 10000
#define MEDIA_ROW_GROUP_BYTES (8u << 20)
#define MEDIA_BATCH_BYTES MEDIA_ROW_GROUP_BYTES   /* one batch, one row group: see above */

void hfds_recipe_build_options_init(hfds_recipe_build_options *o)
{
	memset(o, 0, sizeof(*o));
	o->version = HFDS_RECIPE_BUILD_OPTIONS_VERSION;
}

static int append_cell(hfds_arrow_builder *b, const rc_col *c, size_t row, hfds_error *err)
{
	const rc_cell *e = &c->cells[row];
	if (!e->valid)
		return hfds_arrow_builder_append_null(b, err);
	switch (c->type) {
	case 's': return hfds_arrow_builder_append_str(b, e->v.s, err);
	case 'd': return hfds_arrow_builder_append_double(b, e->v.d, err);
	case 'b': return hfds_arrow_builder_append_bool(b, (int)e->v.i, err);
	default:
		return c->dtype == HFDS_DTYPE_UINT64 ? hfds_arrow_builder_append_uint(b, (uint64_t)e->v.i, err)
			: hfds_arrow_builder_append_int(b, e->v.i, err);
	}
}

/* The media file is read straight into the builder's column buffer (one read into the
 * place the Parquet writer takes it from); its size is taken when it is opened. */
static int append_media(hfds_arrow_builder *b, const rc_media_col *m, size_t row, hfds_error *err)
{
	const char *path = m->paths[row];
	struct stat st;
	int fd = -1, rc = 0;
	if (!path)
		return hfds_arrow_builder_append_null(b, err);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);   /* a FIFO put there since the plan: no hang */
	HFDS_FAIL_IF(fd < 0, HFDS_EIO, err, "%s: cannot open: %s", path, strerror(errno));
	HFDS_FAIL_IF(fstat(fd, &st) != 0 || !S_ISREG(st.st_mode), HFDS_EIO, err, "%s: not a regular file", path);
	if (m->spec->kind != RC_MEDIA_BINARY)
		HFDS_TRY(hfds_arrow_builder_begin_struct(b, err));
	rc = hfds_arrow_builder_append_bytes_fd(b, fd, (size_t)st.st_size, err);
	if (rc < 0) {
		hfds_error_prefix(err, path);
		goto done;
	}
	if (m->spec->kind != RC_MEDIA_BINARY) {
		HFDS_TRY(hfds_arrow_builder_append_str(b, m->names[row], err));
		HFDS_TRY(hfds_arrow_builder_end_struct(b, err));
	}
done:
	if (fd >= 0)
		close(fd);
	return rc;
}

static int flush(hfds_ds *ds, hfds_arrow_builder *b, const char *config, const char *split, hfds_error *err)
{
	struct ArrowArray a = {0};
	int rc = 0;
	if (hfds_arrow_builder_rows(b) == 0)
		return 0;
	HFDS_TRY(hfds_arrow_builder_finish(b, &a, err));
	rc = hfds_ds_write(ds, config, split, &a, err);
done:
	if (a.release)
		a.release(&a);
	return rc;
}

/* One config x split: its rows in table order. */
static int write_split(hfds_ds *ds, const rc_plan *p, const rc_config_plan *cp, int split, hfds_error *err)
{
	hfds_arrow_builder *b = NULL;
	size_t ncol = hfds_features_count(cp->features), i, row, in_batch = 0, batch_rows = LABEL_BATCH_ROWS;
	long *src = NULL;   /* >= 0 table column, < 0: media -(m + 1) */
	int rc = 0;
	src = calloc(ncol + 1, sizeof(long));
	HFDS_FAIL_IF(!src, HFDS_ENOMEM, err, "out of memory");
	for (i = 0; i < ncol; i++) {
		const char *name = hfds_features_name_at(cp->features, i);
		src[i] = rc_tab_find(&p->tab, name);
		for (size_t m = 0; src[i] < 0 && m < p->nmedia; m++)
			if (!strcmp(p->media[m].name, name)) {
				src[i] = -(long)m - 1;
				batch_rows = MEDIA_BATCH_ROWS;
			}
	}
	HFDS_TRY(hfds_arrow_builder_new(&b, hfds_ds_schema(ds, cp->spec->name), err));
	HFDS_TRY(hfds_ds_add_split(ds, cp->spec->name, p->splits[split], err));
	for (row = 0; row < p->tab.nrows; row++) {
		if (p->row_split[row] != split)
			continue;
		for (i = 0; i < ncol; i++)
			HFDS_TRY(src[i] >= 0 ? append_cell(b, &p->tab.cols[src[i]], row, err)
				: append_media(b, &p->media[-src[i] - 1], row, err));
		if (++in_batch == batch_rows ||
		    (batch_rows == MEDIA_BATCH_ROWS && hfds_arrow_builder_bytes(b) >= MEDIA_BATCH_BYTES)) {
			HFDS_TRY(flush(ds, b, cp->spec->name, p->splits[split], err));
			in_batch = 0;
		}
	}
	HFDS_TRY(flush(ds, b, cp->spec->name, p->splits[split], err));
	HFDS_TRY(hfds_ds_end_split(ds, cp->spec->name, p->splits[split], err));
done:
	hfds_arrow_builder_free(b);
	free(src);
	return rc;
}

static int selected(const hfds_recipe_build_options *o, const char *config)
{
	if (!o->configs)
		return 1;
	for (size_t i = 0; i < o->nconfigs; i++)
		if (!strcmp(o->configs[i], config))
			return 1;
	return 0;
}

/* Estimated bytes of one row of a config (labels as stored, media as the files). */
static uint64_t row_bytes(const rc_plan *p, const rc_config_plan *cp, size_t row)
{
	uint64_t n = 0;
	for (size_t i = 0; i < hfds_features_count(cp->features); i++) {
		const char *name = hfds_features_name_at(cp->features, i);
		long c = rc_tab_find(&p->tab, name);
		if (c >= 0) {
			const rc_col *col = &p->tab.cols[c];
			n += col->type == 's' && col->cells[row].valid ? strlen(col->cells[row].v.s) + 4 : 8;
			continue;
		}
		for (size_t m = 0; m < p->nmedia; m++)
			if (!strcmp(p->media[m].name, name))
				n += p->media[m].sizes[row] + (p->media[m].names[row] ? strlen(p->media[m].names[row]) : 0) + 8;
	}
	return n;
}

static int report_add(hfds_recipe_report *rep, const char *config, const char *split, hfds_error *err)
{
	hfds_recipe_split_plan *g = hfds_reallocarray(rep->splits, rep->nsplits + 1, sizeof(*g));
	if (!g)
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	rep->splits = g;
	memset(&g[rep->nsplits], 0, sizeof(*g));
	g[rep->nsplits].config = hfds_strdup(config);
	g[rep->nsplits].split = hfds_strdup(split);
	rep->nsplits++;
	if (!g[rep->nsplits - 1].config || !g[rep->nsplits - 1].split)
		return hfds_error_set(err, HFDS_ENOMEM, "out of memory");
	return 0;
}

static int plan_report(hfds_recipe_report *rep, const hfds_recipe *r, const rc_plan *p,
	const hfds_recipe_build_options *o, hfds_error *err)
{
	int rc = 0;
	rep->unmatched_rows = p->unmatched;
	rep->missing_media = p->missing;
	for (size_t c = 0; c < p->nconfigs; c++) {
		if (!selected(o, p->configs[c].spec->name))
			continue;
		for (size_t s = 0; s < p->nsplits; s++) {
			hfds_recipe_split_plan *sp;
			HFDS_TRY(report_add(rep, p->configs[c].spec->name, p->splits[s], err));
			sp = &rep->splits[rep->nsplits - 1];
			for (size_t row = 0; row < p->tab.nrows; row++)
				if (p->row_split[row] == (int)s) {
					sp->rows++;
					sp->bytes += row_bytes(p, &p->configs[c], row);
				}
			sp->shards = sp->bytes / r->max_shard_size + 1;
		}
	}
	rep->auxiliary = calloc(r->naux + 1, sizeof(char *));
	HFDS_FAIL_IF(!rep->auxiliary, HFDS_ENOMEM, err, "out of memory");
	for (size_t i = 0; i < r->naux; i++) {
		HFDS_FAIL_IF(!(rep->auxiliary[i] = hfds_strdup(r->aux[i].value)), HFDS_ENOMEM, err, "out of memory");
		rep->nauxiliary++;
	}
done:
	return rc;
}

/*
 * The configs are registered in the card's order, the default last (set_default hands the
 * flag to each config registered after it), then written largest first by the plan's
 * estimate (ties in card order): each shard uploads while the next is written, so the small
 * configs are built while the last large shard uploads, instead of before the first one
 * (SOUSA: midi_only and labels_only, 0.17 s, were on the critical path).
 */
static int write_all(hfds_ds **out, const hfds_recipe *r, const rc_plan *p, const hfds_recipe_build_options *o,
	const hfds_recipe_report *rep, const char *dir, const hfds_ds_repo_ops *repo, hfds_error *err)
{
	hfds_ds_options dso;
	hfds_ds *ds = NULL;
	const hfds_features *first = NULL;
	int rc = 0, has_media = 0;
	size_t c, s, n = 0, *order = NULL;
	uint64_t *bytes = NULL;
	hfds_ds_options_init(&dso);
	dso.max_shard_size = r->max_shard_size;
	dso.threads = o->threads;
	dso.replace_config = 1;
	for (c = 0; c < p->nconfigs; c++)
		if (selected(o, p->configs[c].spec->name)) {
			first = first ? first : p->configs[c].features;
			for (size_t m = 0; m < p->nmedia; m++)
				has_media |= hfds_features_find(p->configs[c].features, p->media[m].name) != NULL;
		}
	HFDS_FAIL_IF(!first, HFDS_ENOTFOUND, err, "%s: none of the configs asked for is in the recipe", r->name);
	if (has_media && dso.row_group_bytes > MEDIA_ROW_GROUP_BYTES)
		dso.row_group_bytes = MEDIA_ROW_GROUP_BYTES;
	/* set_default marks every config in turn and each takes the flag from the one registered
	 * before it, so the recipe's default config is registered last (below). */
	for (c = 0; c < p->nconfigs; c++)
		dso.set_default |= p->configs[c].spec->is_default && selected(o, p->configs[c].spec->name);
	HFDS_TRY(hfds_ds_open(&ds, dir, first, &dso, err));
	if (repo)   /* each shard is uploaded as soon as it is closed, while the next is written */
		HFDS_TRY(hfds_ds_attach(ds, repo, err));
	HFDS_FAIL_IF(!(order = calloc(p->nconfigs + 1, sizeof(*order))) || !(bytes = calloc(p->nconfigs + 1, sizeof(*bytes))),
		HFDS_ENOMEM, err, "out of memory");
	for (size_t k = 0; k < 2 * p->nconfigs; k++) {
		const rc_config_plan *cp = &p->configs[k % p->nconfigs];
		if (!selected(o, cp->spec->name) || cp->spec->is_default != (k >= p->nconfigs))
			continue;
		HFDS_TRY(hfds_ds_set_config_features(ds, cp->spec->name, cp->features, err));
		order[n] = k % p->nconfigs;
		for (size_t i = 0; i < rep->nsplits; i++)
			bytes[n] += strcmp(rep->splits[i].config, cp->spec->name) ? 0 : rep->splits[i].bytes;
		n++;
	}
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && bytes[j] > bytes[j - 1]; j--) {
			size_t t = order[j];
			uint64_t b = bytes[j];
			order[j] = order[j - 1], bytes[j] = bytes[j - 1];
			order[j - 1] = t, bytes[j - 1] = b;
		}
	for (c = 0; c < n; c++)
		for (s = 0; s < p->nsplits; s++)
			HFDS_TRY(write_split(ds, p, &p->configs[order[c]], (int)s, err));
	*out = ds;
	ds = NULL;
done:
	free(order);
	free(bytes);
	hfds_ds_free(ds);
	return rc;
}

int hfds_recipe_build(const hfds_recipe *r, const hfds_recipe_build_options *o, hfds_recipe_report **report,
	char out_sha[41], hfds_error *err)
{
	rc_plan p;
	hfds_recipe_report *rep = NULL;
	hfds_ds *ds = NULL;
	rc_repo repo;
	int rc = 0, have_plan = 0, publish;
	size_t i, j;
	HFDS_ASSERT_ARG(r && o, err);
	if (report)
		*report = NULL;
	for (i = 0; o->configs && i < o->nconfigs; i++) {
		for (j = 0; j < r->nconfigs && strcmp(r->configs[j].name, o->configs[i]); j++)
			;
		HFDS_FAIL_IF(j == r->nconfigs && !(r->nconfigs == 0 && !strcmp(o->configs[i], "default")), HFDS_ENOTFOUND,
			err, "%s: no config '%s' in the recipe", r->name, o->configs[i]);
	}
	rep = calloc(1, sizeof(*rep));
	HFDS_FAIL_IF(!rep, HFDS_ENOMEM, err, "out of memory");
	HFDS_TRY(rc_plan_make(&p, r, err));
	have_plan = 1;
	HFDS_TRY(plan_report(rep, r, &p, o, err));
	if (o->purge && o->ops)
		HFDS_TRY(rc_publish_purge_list(o->ops, r, rep, err));
	if (o->dry_run)
		goto done;
	HFDS_FAIL_IF(!o->out_dir && !(o->ops && o->staging_dir), HFDS_EINVAL, err, "recipe build: no output folder and no repo");
	publish = o->ops && !o->out_dir;
	if (publish)
		rc_repo_init(&repo, o->ops, r, rep, o->purge);
	HFDS_TRY(write_all(&ds, r, &p, o, rep, o->out_dir ? o->out_dir : o->staging_dir, publish ? &repo.ops : NULL, err));
	if (publish)
		HFDS_TRY(rc_publish(ds, &repo, out_sha, err));
	else {
		HFDS_TRY(hfds_ds_finish(ds, err));
		HFDS_TRY(rc_publish_copy_auxiliary(r, o->out_dir, err));
	}
	for (i = 0; i < rep->nsplits; i++)
		hfds_ds_split_stats(ds, rep->splits[i].config, rep->splits[i].split, &rep->splits[i].rows,
			&rep->splits[i].bytes, &rep->splits[i].shards);
done:
	hfds_ds_free(ds);
	if (have_plan)
		rc_plan_free(&p);
	if (rc == 0 && report)
		*report = rep;
	else
		hfds_recipe_report_free(rep);
	return rc;
}

void hfds_recipe_report_free(hfds_recipe_report *rep)
{
	size_t i;
	if (!rep)
		return;
	for (i = 0; i < rep->nsplits; i++) {
		free(rep->splits[i].config);
		free(rep->splits[i].split);
	}
	free(rep->splits);
	for (i = 0; i < rep->nauxiliary; i++)
		free(rep->auxiliary[i]);
	free(rep->auxiliary);
	for (i = 0; i < rep->npurged; i++)
		free(rep->purged[i]);
	free(rep->purged);
	free(rep);
}
