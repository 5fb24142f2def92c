"""The reference for the end-to-end bench: what a datasets user runs to publish JSON Lines,
`load_dataset("json", ...)` then `push_to_hub` (HF_ENDPOINT points at the server, no xet).
usage: push_to_hub.py JSONL REPO TOKEN"""
import sys

from datasets import load_dataset

path, repo, token = sys.argv[1:4]
ds = load_dataset("json", data_files=path, split="train")
ds.push_to_hub(repo, token=token)
