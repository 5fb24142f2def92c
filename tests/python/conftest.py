"""Shared pytest fixtures for the Python judges (run by ctest as py_<file>, see
tests/integration/python.cmake, or by hand:
    HFDS_BIN=build/hfds tests/python/.venv/bin/python -m pytest tests/python/test_x.py).

Every test gets its own HF_HOME and cache folders under tmp_path, so nothing reads or writes the
user's cache, and huggingface_hub never tries Xet against our hubs (hub-protocol.md §7.4).
"""
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]

os.environ.setdefault("HF_HUB_DISABLE_XET", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


def _hfds_bin():
    b = os.environ.get("HFDS_BIN")
    if b:
        return b
    for cand in (ROOT / "build-check" / "hfds", ROOT / "build" / "hfds"):
        if cand.exists():
            return str(cand)
    pytest.exit("HFDS_BIN is not set and no build/hfds exists (run make)", 2)


@pytest.fixture(scope="session")
def hfds_bin():
    return _hfds_bin()


@pytest.fixture(scope="session")
def shared_dir():
    return pathlib.Path(os.environ.get("HFDS_SHARED", ROOT.parent / "shared"))


@pytest.fixture(autouse=True)
def _isolated_hf_home(tmp_path, monkeypatch):
    home = tmp_path / "hf_home"
    home.mkdir()
    monkeypatch.setenv("HF_HOME", str(home))
    monkeypatch.setenv("HF_DATASETS_CACHE", str(home / "datasets"))
    monkeypatch.setenv("HFDS_HOME", str(tmp_path / "hfds_home"))
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.delenv("HF_ENDPOINT", raising=False)
    monkeypatch.setenv("HF_HUB_DISABLE_XET", "1")
    yield


@pytest.fixture
def hfds(hfds_bin):
    """Run the hfds CLI; returns CompletedProcess; check=True by default."""
    def run(*args, check=True, input=None, env=None, timeout=600):
        e = dict(os.environ)
        if env:
            e.update(env)
        r = subprocess.run([hfds_bin, *map(str, args)], capture_output=True, text=input is None or isinstance(input, str),
                           input=input, env=e, timeout=timeout)
        if check and r.returncode != 0:
            raise AssertionError(f"hfds {' '.join(map(str, args))} exited {r.returncode}:\n{r.stderr}")
        return r
    return run
