"""Helpers shared by the dataset judges (test_dataset_*.py): an embedded hub in a temp folder,
pushes through the real CLI, reading the bare repository with git, cloning it with git-lfs,
and the reference pieces built with datasets' own classes."""
import json
import pathlib
import subprocess

import yaml
from datasets import ClassLabel, Features, List, Value
from datasets.info import DatasetInfosDict
from huggingface_hub import DatasetCard, DatasetCardData

# The features most judges push: scalars, a ClassLabel, a list and a struct
FEATURES = Features({
    "id": Value("int64"),
    "text": Value("string"),
    "label": ClassLabel(names=["neg", "pos"]),
    "tokens": List(Value("string")),
    "score": Value("float32"),
    "meta": {"ok": Value("bool"), "n": Value("int16")},
})


def rows(n, seed, nulls=True):
    """n rows of FEATURES, different per seed; with `nulls`, nulls at the top and in the struct."""
    out = []
    for i in range(n):
        k = i * 7 + seed
        out.append({"id": k, "text": None if nulls and i % 5 == 3 else "x" * (k % 13) + str(k), "label": k % 2,
                    "tokens": [str(j) for j in range(k % 4)], "score": (k - 5) / 4,
                    "meta": None if nulls and i % 11 == 5 else {"ok": None if nulls and i % 3 == 0 else k % 2 == 0,
                                                               "n": -(k % 300)}})
    return out


# git-lfs filters passed explicitly, so a machine without `git lfs install` still smudges
LFS = ["-c", "filter.lfs.smudge=git-lfs smudge -- %f", "-c", "filter.lfs.process=git-lfs filter-process",
       "-c", "filter.lfs.required=true", "-c", "filter.lfs.clean=git-lfs clean -- %f"]


class Hub:
    """An embedded hub under `root` driven by the `hfds` fixture."""

    def __init__(self, hfds, root):
        self.hfds = hfds
        self.root = pathlib.Path(root)

    def gitdir(self, repo):
        return self.root / "datasets" / f"{repo}.git"

    def run(self, *args, check=True):
        return self.hfds(*args, "--endpoint", self.root, check=check)

    def push(self, repo, *args, check=True):
        return self.run("push", repo, "-q", *args, check=check)

    def git(self, repo, *args):
        return subprocess.run(["git", "--git-dir", str(self.gitdir(repo)), *args], check=True,
                              capture_output=True, text=True).stdout

    def head(self, repo):
        return self.git(repo, "rev-parse", "refs/heads/main").strip()

    def card(self, repo, rev="main"):
        return self.git(repo, "show", f"{rev}:README.md")

    def files(self, repo, rev="main"):
        """{path: size} of the files at `rev`, LFS files with their real size."""
        out = {}
        for line in self.git(repo, "ls-tree", "-r", "-l", rev).splitlines():
            meta, path = line.split("\t", 1)
            _, kind, sha, size = meta.split()
            size = int(size)
            if size < 200:
                text = self.git(repo, "cat-file", "-p", sha)
                if text.startswith("version https://git-lfs.github.com/spec/v1"):
                    size = int(text.split("\nsize ")[1].split()[0])
            out[path] = size
        return out

    def export(self, repo, rev, dest):
        """The tree at `rev` as plain files in `dest` (LFS files as pointers)."""
        dest = pathlib.Path(dest)
        dest.mkdir(parents=True)
        archive = subprocess.run(["git", "--git-dir", str(self.gitdir(repo)), "archive", rev], check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
        return dest

    def clone(self, repo, dest):
        subprocess.run(["git", *LFS, "clone", "-q", str(self.gitdir(repo)), str(dest)], check=True,
                       capture_output=True)
        return pathlib.Path(dest)


def front_matter(text):
    """(yaml dict, body) of a card."""
    assert text.startswith("---\n"), text[:40]
    end = text.index("\n---\n", 3)
    return yaml.safe_load(text[4:end]), text[end + 5:]


def write_jsonl(path, rows):
    path = pathlib.Path(path)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def write_features(path, features):
    """`features` is a datasets Features; written as Features.to_dict() JSON."""
    path = pathlib.Path(path)
    path.write_text(json.dumps(features.to_dict()))
    return path


def datasets_merges(card_text):
    """datasets' read-then-write of a card's dataset_info (what every later push_to_hub and
    delete_from_hub does) runs on the card and keeps every config."""
    data = DatasetCard(card_text).data
    infos = DatasetInfosDict.from_dataset_card_data(data)
    out = DatasetCardData()
    infos.to_dataset_card_data(out)
    assert sorted(DatasetInfosDict.from_dataset_card_data(out)) == sorted(infos)
    infos.to_dataset_card_data(data)
