/* The commands' way to a hub: open it from --endpoint, announce it, open a dataset repo. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

int cli_open_hub(const char *endpoint, hfds_hub **out)
{
	hfds_target t;
	hfds_error err;
	char line[4400];
	int rc;
	*out = NULL;
	hfds_error_init(&err);
	if (hfds_target_select(&t, endpoint, &err) < 0)
		return cli_fail(&err);
	hfds_target_describe(&t, line, sizeof(line));
	fprintf(stderr, "hfds: target: %s\n", line);
	rc = hfds_hub_open_target(out, &t, &err);
	hfds_target_release(&t);
	return rc < 0 ? cli_fail(&err) : CLI_EXIT_OK;
}

int cli_repo_create_tracked(hfds_hub *hub, const char *repo_id, int is_private, char created[HFDS_OID_HEX_SIZE],
	hfds_error *err)
{
	int rc = hfds_hub_repo_create(hub, HFDS_REPO_DATASET, repo_id, is_private, 1, err);
	created[0] = '\0';
	if (rc == 0 && (rc = hfds_hub_resolve(created, hub, HFDS_REPO_DATASET, repo_id, "main", err)) < 0)
		created[0] = '\0';
	return rc < 0 ? rc : 0;
}

void cli_repo_abandon(hfds_hub *hub, const char *repo_id, const char *created)
{
	char head[HFDS_OID_HEX_SIZE];
	if (!hub || !created || !created[0] || hfds_hub_resolve(head, hub, HFDS_REPO_DATASET, repo_id, "main", NULL) < 0 ||
	    strcmp(head, created) != 0)
		return;
	/* still the initial commit: nothing of anyone's was published to it */
	hfds_hub_repo_delete(hub, HFDS_REPO_DATASET, repo_id, NULL);
}

int cli_dataset_open(cli_dataset *d, const char *endpoint, const char *repo_id, const char *branch, unsigned flags,
	hfds_error *err)
{
	int rc;
	memset(d, 0, sizeof(*d));
	snprintf(d->repo_id, sizeof(d->repo_id), "%s", repo_id ? repo_id : "");
	rc = hfds_hub_open(&d->hub, endpoint, err);
	/* created here rather than by hfds_hub_dataset_open, so a failed push knows to undo it */
	if (rc == 0 && (flags & HFDS_HUB_DATASET_CREATE) && (rc = hfds_hub_repo_id_check(repo_id, err)) == 0)
		rc = cli_repo_create_tracked(d->hub, repo_id, (flags & HFDS_HUB_DATASET_PRIVATE) != 0, d->created, err);
	if (rc == 0)
		rc = hfds_hub_dataset_open(&d->ds, d->hub, repo_id, branch, flags, err);
	if (rc < 0) {
		cli_dataset_close(d);
		return rc;
	}
	d->ops = hfds_hub_dataset_ops(d->ds);
	d->where = hfds_hub_where(d->hub);
	return 0;
}

void cli_dataset_abandon(cli_dataset *d)
{
	if (d)
		cli_repo_abandon(d->hub, d->repo_id, d->created);
}

void cli_dataset_close(cli_dataset *d)
{
	hfds_hub_dataset_free(d->ds);
	hfds_hub_free(d->hub);
	memset(d, 0, sizeof(*d));
}
