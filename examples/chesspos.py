#!/usr/bin/env python3
"""The chesspos `generate_hf_dataset` flow (spec chesspos.md §2.7) written on hfds.

Samples chess positions from PGN archives, cuts them into batches of --batch-size rows, splits
each batch (first int(n * train_ratio) rows to train, the rest to test, no shuffle), publishes
every batch as ONE versioned commit that appends `train/batch_NNNNNN.parquet` and
`test/batch_NNNNNN.parquet` and updates the card, tags the last commit, then streams the
train split back. Rows are the chesspos rows: `window` Array2D((window, 69), int8), the
position's 69 tokens repeated, and `scalars`, three int8 zeros.

    python examples/chesspos.py --repo me/chesspos --data-path games/ --batches 3 \
        --batch-size 100000 --endpoint /tmp/hub --tag v1

--endpoint: a hub URL, or a directory for the embedded hub (default: hfds' target choice).
--resume continues after the batches already in the repository. --dry-run writes the
batches to a local folder instead of publishing. `--library` does the same publish in one
call of the C publisher (hfds.chess.push: sampling and committing overlap on two threads).
"""
import argparse
import os
import re
import sys

import pyarrow as pa

import hfds


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repo", required=True)
    p.add_argument("--data-path", default="./data/raw", nargs="+")
    p.add_argument("--batches", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=100_000)
    p.add_argument("--train-ratio", type=float, default=0.95)
    p.add_argument("--window-size", type=int, default=10)
    p.add_argument("--min-elo", type=float, default=2000.0)
    p.add_argument("--subsample", type=float, default=0.33)
    p.add_argument("--min-ply", type=int, default=0)
    p.add_argument("--max-ply", type=int, default=0)
    p.add_argument("--sampler", default="ply-curve", choices=["ply-curve", "chesspos-v1", "all"])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--endpoint")
    p.add_argument("--tag")
    p.add_argument("--resume", action="store_true")
    p.add_argument("--dry-run", metavar="DIR")
    p.add_argument("--library", action="store_true", help="publish with hfds.chess.push")
    a = p.parse_args(argv)
    # the original script's config validation
    checks = [(a.repo.strip(), "repo must be non-empty"), (a.batch_size > 0, "batch_size must be > 0"),
              (0 < a.train_ratio < 1, "train_ratio must be in (0, 1)"), (a.min_elo >= 0, "min_elo must be >= 0"),
              (a.min_ply >= 0, "min_ply must be >= 0"),
              (a.max_ply == 0 or a.max_ply >= a.min_ply, "max_ply must be >= min_ply"),
              (0 < a.subsample <= 1, "subsample must be in (0, 1]"), (a.window_size > 0, "window_size must be > 0")]
    for ok, msg in checks:
        if not ok:
            p.error(msg)
    return a


def published_batches(args):
    """The highest batch number already in the repository (0 for none or a new repo)."""
    try:
        files = hfds.list_repo_files(args.repo, endpoint=args.endpoint)
    except hfds.errors.NotFound:
        return 0
    nums = [int(m.group(1)) for f in files for m in [re.match(r"(?:train|test)/batch_(\d+)\.parquet$", f)] if m]
    return max(nums, default=0)


def batches_of(stream, size, skip):
    """Record batches re-cut into tables of exactly `size` rows (the last may be shorter),
    after skipping the first `skip` rows (positions published by an earlier run)."""
    pending, have = [], 0
    for b in stream:
        if skip:
            k = min(skip, b.num_rows)
            b, skip = b.slice(k), skip - k
        pending.append(b)
        have += b.num_rows
        while have >= size:
            t = pa.Table.from_batches(pending).combine_chunks()
            yield t.slice(0, size)
            rest = t.slice(size)
            pending, have = rest.to_batches(), rest.num_rows
    if have:
        yield pa.Table.from_batches(pending)


def main(argv=None):
    args = parse_args(argv)
    sample = dict(sampler=args.sampler, seed=args.seed, min_elo=args.min_elo, subsample=args.subsample,
                  min_ply=args.min_ply, max_ply=args.max_ply)
    if args.library and not args.dry_run:
        r = hfds.chess.push(args.data_path, args.repo, endpoint=args.endpoint, tag=args.tag, resume=args.resume,
                            batches=args.batches, batch_size=args.batch_size, train_ratio=args.train_ratio,
                            window=args.window_size, **sample)
        print(f"published {r['batches']} batch(es) after {r['existing']}: {r['rows_train']} train, "
              f"{r['rows_test']} test rows; last commit {r['sha']}")
    else:
        done = published_batches(args) if args.resume else 0
        if done and not args.resume:
            sys.exit(f"{args.repo} already has batches: use --resume")
        skip = done * args.batch_size
        stream = hfds.chess.sample(args.data_path, window=args.window_size, limit=skip + args.batches * args.batch_size,
                                   **sample)
        sha = None
        for i, t in enumerate(batches_of(stream, args.batch_size, skip)):
            n_train = int(t.num_rows * args.train_ratio)
            splits = {"train": t.slice(0, n_train), "test": t.slice(n_train)}
            number = done + i + 1
            if args.dry_run:
                info = hfds.write_dataset(splits, args.dry_run, append=True)
                print(f"batch {number}: wrote {info['splits']}")
                continue
            ci = hfds.push_to_hub(splits, args.repo, endpoint=args.endpoint, append=True,
                                  commit_message=f"Add batch {number}: {n_train} train, {t.num_rows - n_train} test")
            sha = ci.sha
            print(f"batch {number}: {ci.sha} ({t.num_rows} rows)")
        if args.dry_run:
            return
        if sha is None:
            sys.exit("no positions sampled: nothing published")
        if args.tag:
            hfds.create_tag(args.repo, args.tag, revision=sha, endpoint=args.endpoint)
    if args.dry_run:
        return
    # stream the train split back (the card's config, as load_dataset would read it)
    train = pa.table(hfds.load(args.repo, split="train", revision=args.tag, endpoint=args.endpoint))
    print(f"train split: {train.num_rows} rows, columns {train.column_names}")


if __name__ == "__main__":
    main()
