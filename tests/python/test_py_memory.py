"""Pushing a 1 GB stream keeps the process's peak RSS bounded by the writer's row groups and
shard buffers, not by the data (issue 13). Measured in a child process with
resource.getrusage (ru_maxrss): a memory bound, not a timing."""
import subprocess
import sys
import textwrap

CHILD = textwrap.dedent("""
    import resource, sys
    import pyarrow as pa
    import hfds
    hub = sys.argv[1]
    n = 1 << 17                                          # rows per batch, 1 MiB per column
    def batches():
        for k in range(128):                             # 128 batches x 8 MiB = 1 GiB, made lazily
            base = k * n
            yield pa.record_batch({
                "id": pa.array(range(base, base + n), pa.int64()),
                "a": pa.array(range(n), pa.int64()), "b": pa.array(range(n), pa.int64()),
                "c": pa.array(range(n), pa.int64()), "d": pa.array(range(n), pa.int64()),
                "e": pa.array(range(n), pa.int64()), "f": pa.array(range(n), pa.int64()),
                "g": pa.array(range(n), pa.int64())})
    schema = pa.schema([(c, pa.int64()) for c in ["id", "a", "b", "c", "d", "e", "f", "g"]])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    ci = hfds.push_to_hub(pa.RecordBatchReader.from_batches(schema, batches()), "me/big", endpoint=hub,
                          max_shard_size="200MB", threads=2)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(ci.splits["train"]["num_examples"], ci.splits["train"]["num_bytes"], before, peak)
""")


def test_push_of_1gb_stream_has_bounded_rss(tmp_path):
    r = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path / "hub")], capture_output=True, text=True,
                       timeout=900)
    assert r.returncode == 0, r.stderr
    rows, nbytes, before_kb, peak_kb = map(int, r.stdout.split())
    assert rows == 128 << 17
    assert nbytes >= 1 << 30                      # the data really was 1 GiB of Arrow
    grown_mb = (peak_kb - before_kb) / 1024
    # 2 threads: two 25 MB row groups in flight (max_shard_size / 8) plus their pages and the
    # producer's batch; buffering the data would need > 1024 MB
    assert grown_mb < 400, f"peak RSS grew by {grown_mb:.0f} MB while pushing 1 GiB"
    print(f"peak RSS grew by {grown_mb:.0f} MB (before {before_kb / 1024:.0f} MB)")
