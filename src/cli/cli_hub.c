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

int cli_dataset_open(cli_dataset *d, const char *endpoint, const char *repo_id, const char *branch, unsigned flags,
	hfds_error *err)
{
	int rc;
	memset(d, 0, sizeof(*d));
	if ((rc = hfds_hub_open(&d->hub, endpoint, err)) < 0 ||
	    (rc = hfds_hub_dataset_open(&d->ds, d->hub, repo_id, branch, flags, err)) < 0) {
		cli_dataset_close(d);
		return rc;
	}
	d->ops = hfds_hub_dataset_ops(d->ds);
	d->where = hfds_hub_where(d->hub);
	return 0;
}

void cli_dataset_close(cli_dataset *d)
{
	hfds_hub_dataset_free(d->ds);
	hfds_hub_free(d->hub);
	memset(d, 0, sizeof(*d));
}
