/* The commands' way to a hub: open it from --endpoint, announce it, open a dataset repo. */
#include "cli.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

/* SIGTERM, SIGINT, SIGHUP: remove this process's staging folders, then die of the signal. */
static void on_fatal_signal(int sig)
{
	hfds_hub_staging_remove_all_on_signal();
	signal(sig, SIG_DFL);
	raise(sig);
}

void cli_clean_staging_on_signals(void)
{
	static const int sigs[] = {SIGTERM, SIGINT, SIGHUP};
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

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

int cli_repo_missing(hfds_hub *hub, const char *repo_id)
{
	hfds_store_repo_info info;
	return hfds_hub_repo_info(&info, hub, HFDS_REPO_DATASET, repo_id, NULL, NULL) == HFDS_ENOTFOUND;
}

void cli_repo_abandon(hfds_hub *hub, const char *repo_id, int was_missing)
{
	hfds_store_log *log = NULL;
	if (hub && was_missing && hfds_hub_log(&log, hub, HFDS_REPO_DATASET, repo_id, "main", 2, NULL) == 0 &&
	    log->count == 1)
		hfds_hub_repo_delete(hub, HFDS_REPO_DATASET, repo_id, NULL); /* only the initial commit */
	hfds_store_log_free(log);
}

int cli_dataset_open(cli_dataset *d, const char *endpoint, const char *repo_id, const char *branch, unsigned flags,
	hfds_error *err)
{
	int rc;
	memset(d, 0, sizeof(*d));
	snprintf(d->repo_id, sizeof(d->repo_id), "%s", repo_id ? repo_id : "");
	rc = hfds_hub_open(&d->hub, endpoint, err);
	if (rc == 0 && (flags & HFDS_HUB_DATASET_CREATE))
		d->was_missing = cli_repo_missing(d->hub, repo_id);
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
		cli_repo_abandon(d->hub, d->repo_id, d->was_missing);
}

void cli_dataset_close(cli_dataset *d)
{
	hfds_hub_dataset_free(d->ds);
	hfds_hub_free(d->hub);
	memset(d, 0, sizeof(*d));
}
