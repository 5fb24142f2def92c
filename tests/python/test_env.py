"""The judge environment itself: the pinned packages import, at the pinned versions, and Xet is off."""
import os
import pathlib


def _pins():
    req = pathlib.Path(__file__).with_name("requirements.txt").read_text()
    return dict(l.split("==") for l in req.splitlines() if "==" in l and not l.startswith("#"))


def test_pinned_versions_are_installed():
    from importlib.metadata import version
    pins = _pins()
    for name in ("datasets", "huggingface_hub", "pyarrow", "polars", "duckdb", "pytest"):
        assert version(name) == pins[name], name


def test_xet_disabled_for_our_hubs():
    assert os.environ["HF_HUB_DISABLE_XET"] == "1"


def test_hfds_binary_runs(hfds):
    assert "usage" in hfds("--help").stdout.lower()
