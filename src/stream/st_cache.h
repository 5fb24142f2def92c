/*
 * Where the Hugging Face caches live, resolved as huggingface_hub and datasets resolve them:
 * `given`, else the variable `env` (HF_HUB_CACHE, HF_DATASETS_CACHE), else $HF_HOME/<sub>,
 * else $XDG_CACHE_HOME/huggingface/<sub>, else ~/.cache/huggingface/<sub>.
 */
#ifndef HFDS_STREAM_CACHE_H
#define HFDS_STREAM_CACHE_H

/* A new string (hfds_free), NULL when out of memory. */
char *hfds_st__hf_cache(const char *given, const char *env, const char *sub);

#endif
