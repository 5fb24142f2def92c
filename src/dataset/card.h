/*
 * The dataset card (README.md): front matter split/join as huggingface_hub does it, and
 * the dataset_info/configs merge of push_to_hub (_get_updated_dataset_card) and
 * delete_from_hub. The metadata is a jansson object so the user's other keys, their
 * order and values survive a merge; the Markdown body is kept byte for byte.
 */
#ifndef HFDS_DATASET_CARD_H
#define HFDS_DATASET_CARD_H

#include <jansson.h>
#include <stdint.h>

#include "hfds/common.h"
#include "util/buf.h"

typedef struct hfds_card {
	json_t *meta;   /* the YAML front matter as an object (empty for a new card) */
	char *body;     /* everything after the closing "---" line */
	const char *eol; /* line break of the text read ("\n" or "\r\n"), kept on render */
} hfds_card;

/* Parses README.md text (NULL/0 = no card yet). `what` names the file in errors, which
 * carry its line numbers ("README.md:7:3: invalid YAML: ..."). */
int hfds_card__parse(hfds_card **out, const char *text, size_t len, const char *what, hfds_error *err);
/* Largest card rendered (HFDS_ELIMIT past it, e.g. a YAML alias bomb). */
#define HFDS_CARD_MAX_BYTES (64u << 20)
/* "---\n<yaml>\n---\n<body>" */
int hfds_card__render(const hfds_card *card, hfds_buf *out, hfds_error *err);
void hfds_card__free(hfds_card *card);

typedef struct hfds_card_split {
	const char *name;
	uint64_t num_bytes;
	uint64_t num_examples;
} hfds_card_split;

typedef struct hfds_card_update {
	const char *config;
	const json_t *features_yaml;   /* the YAML list form of the features */
	const hfds_card_split *splits; /* the pushed splits, in push order */
	size_t split_count;
	int layout;                    /* HFDS_DS_LAYOUT_* (decides the data_files glob) */
	int replace_config;            /* DatasetDict push: the config holds exactly these splits */
	int append;                    /* add the counts to the existing split entries */
	int set_default;
	int replace_features;          /* a config whose features change may be replaced */
	uint64_t download_added;       /* bytes of the new files */
	uint64_t download_removed;     /* bytes of the files this commit deletes in this config */
} hfds_card_update;

/* Applies one push to the card. HFDS_ECONFLICT when the config's card features differ
 * from the new ones and either it keeps other splits or replace_features is off (nothing
 * is changed then); HFDS_EINVAL for
 * set_default while a config literally named "default" exists; HFDS_EPARSE when the
 * existing dataset_info/configs have the wrong shape. */
int hfds_card__update(hfds_card *card, const hfds_card_update *u, hfds_error *err);

/* Removes a config from config_names, configs and dataset_info. *found tells whether the
 * card mentioned it. */
int hfds_card__delete_config(hfds_card *card, const char *config, int *found, hfds_error *err);

/* The data_files patterns of a config as an array of strings (new reference; empty when
 * the config is unknown). */
int hfds_card__config_patterns(json_t **out, const hfds_card *card, const char *config, hfds_error *err);
/* The same for one split of the config (its data_files entries whose split is `split`). */
int hfds_card__split_patterns(json_t **out, const hfds_card *card, const char *config, const char *split,
	hfds_error *err);
/* The config load_dataset picks without a name: the only one, else the one marked
 * `default: true`, else "default" (borrowed from the card; valid while it is unchanged). */
const char *hfds_card__default_config(const hfds_card *card);

/* The card's features (YAML list form) of a config, borrowed, or NULL. */
const json_t *hfds_card__config_features(const hfds_card *card, const char *config);

/* Sum of a split's num_examples as the card records it (0 when absent). */
uint64_t hfds_card__split_examples(const hfds_card *card, const char *config, const char *split);
/* The same, telling whether the card records the split at all: 1 (count in *n) or 0. */
int hfds_card__split_examples_find(const hfds_card *card, const char *config, const char *split, uint64_t *n);



/* Copies config `config`'s dataset_info and configs entries from `src` into `dst`
 * (replacing dst's), moving a `default: true` flag along. */
int hfds_card__import_config(hfds_card *dst, const hfds_card *src, const char *config, hfds_error *err);

/* Names of the configs listed in `configs` (new reference, array of strings). */
int hfds_card__config_names(json_t **out, const hfds_card *card, hfds_error *err);

#endif
