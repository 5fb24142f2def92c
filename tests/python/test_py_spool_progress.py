"""push_to_hub(spool_max=) and write_dataset(progress=) (issue 13 API).

- spool_max bounds the shards waiting for their upload: behind a proxy that holds every PUT
  for a while, with a one-byte bound each closed shard is stored before the next one is
  closed (the writer waits), so the staging folder never holds more than the shard being
  written plus one; the data read back is the input. Bad values are refused before any
  request.
- write_dataset(progress=callable) gets the writer's "rows" and "shard" events; progress=True
  prints one final line on a pipe, False (the default) nothing."""
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import hfds
from test_py_progress import proxied  # noqa: F401  (the fixture: hfds serve behind a FaultProxy)


def test_spool_max_makes_the_writer_wait_for_uploads(proxied):
    s, proxy = proxied
    proxy.delay = {"PUT": 0.25}  # uploads far slower than writing a 100 KB shard
    t = pa.table({"x": pa.array(range(150_000), pa.int64())})
    events = []

    def record(what, done, total):
        events.append((what, done, total))

    ci = hfds.push_to_hub(t, "alice/spool", endpoint=proxy.url, token=s.write_token, max_shard_size="100KB",
                          upload_workers=2, spool_max=1, progress=record)
    shards = [e for e in events if e[0] == "shard"]
    assert len(shards) == ci.splits["train"]["num_files"] >= 6, events
    stored = 0
    for what, done, total in events:
        if what == "stored":
            stored = done
        elif what == "shard":
            # shard `done` was just closed; every earlier one had to be stored first
            assert stored == done - 1, events
    got = pa.table(hfds.load("alice/spool", endpoint=proxy.url, token=s.write_token))
    assert got.column("x").to_pylist() == t.column("x").to_pylist()


def test_spool_max_values(proxied):
    s, proxy = proxied
    t = pa.table({"x": [1, 2]})
    with pytest.raises(ValueError, match="spool_max"):
        hfds.push_to_hub(t, "alice/v", endpoint=proxy.url, token=s.write_token, spool_max=0, progress=False)
    with pytest.raises(hfds.errors.HfdsError, match="12 parsecs"):
        hfds.push_to_hub(t, "alice/v", endpoint=proxy.url, token=s.write_token, spool_max="12 parsecs",
                         progress=False)
    with pytest.raises(TypeError, match="spool_max"):
        hfds.push_to_hub(t, "alice/v", endpoint=proxy.url, token=s.write_token, spool_max=1.5, progress=False)
    ci = hfds.push_to_hub(t, "alice/v", endpoint=proxy.url, token=s.write_token, spool_max="1GB", progress=False)
    assert ci.splits["train"]["num_examples"] == 2


def test_write_dataset_progress(tmp_path, capsys):
    t = pa.table({"x": pa.array(range(120_000), pa.int64())})
    events = []
    out = hfds.write_dataset(t, tmp_path / "a", max_shard_size="100KB",
                             progress=lambda what, done, total: events.append((what, done, total)))
    nfiles = out["splits"]["train"]["num_files"]
    assert nfiles >= 5
    assert [e[1] for e in events if e[0] == "shard"] == list(range(1, nfiles + 1))
    assert [e for e in events if e[0] == "rows"][-1][1] == 120_000
    assert {e[0] for e in events} == {"rows", "shard"}
    files = sorted((tmp_path / "a" / "data").glob("*.parquet"))
    assert sum(pq.read_metadata(f).num_rows for f in files) == 120_000
    capsys.readouterr()
    hfds.write_dataset(t, tmp_path / "b", max_shard_size="100KB", progress=True)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "120,000 rows" in err and f"{nfiles} shards" in err, err
    hfds.write_dataset(t, tmp_path / "c", max_shard_size="100KB")
    assert capsys.readouterr().err == ""
