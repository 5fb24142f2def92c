"""Ctrl-C while a consumer reads an hfds stream through __arrow_c_stream__ (issue 13: "the GIL
is released while C works; Ctrl-C stops cleanly").

pyarrow reads a foreign C stream without looking at signals (`pa.table(s)`,
`RecordBatchReader.from_stream(s).read_all()`): before, a SIGINT was noticed only once the
whole split had been read. A child Python process reads a split of 200 row groups through a
proxy that holds every GET for 0.4 s (so the whole read takes well over 10 s even with 8
reading threads); a real SIGINT sent 1.5 s into the read must end it with a KeyboardInterrupt
the script can catch, within a few seconds.
"""
import subprocess
import sys
import textwrap
import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import hfds  # noqa: F401  (the package under test must import; the child imports it too)
from faultproxy import FaultProxy
from hubserve import Serve

ROW_GROUPS = 200


@pytest.fixture(scope="module")
def slow_repo(hfds_bin, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("intr")
    proxy = FaultProxy(p_status=0, p_reset=0, p_lost=0)
    s = Serve(hfds_bin, tmp / "server" / "hub", public_url=proxy.url)
    proxy.upstream_port = s.port
    folder = tmp / "data"
    folder.mkdir()
    n = ROW_GROUPS * 500
    pq.write_table(pa.table({"id": pa.array(range(n), pa.int64()), "s": [f"row {i}" for i in range(n)]}),
                   folder / "train-00000-of-00001.parquet", row_group_size=500)
    from huggingface_hub import HfApi
    api = HfApi(endpoint=s.url, token=s.write_token)
    api.create_repo("alice/slow", repo_type="dataset")
    api.upload_folder(repo_id="alice/slow", repo_type="dataset", folder_path=str(folder), path_in_repo="data")
    proxy.delay = {"GET": 0.4}
    yield proxy, s
    proxy.close()
    s.close()


READ = textwrap.dedent("""
    import sys, time, hfds, pyarrow as pa
    s = hfds.load("alice/slow", endpoint=sys.argv[1], token=sys.argv[2])
    print("reading", flush=True)
    try:
        if sys.argv[3] == "table":
            t = pa.table(s)
        else:
            t = pa.RecordBatchReader.from_stream(s).read_all()
    except KeyboardInterrupt:
        print("KeyboardInterrupt", flush=True)
        sys.exit(42)
    print("finished", t.num_rows, flush=True)
""")


@pytest.mark.parametrize("consumer", ["table", "reader"])
def test_sigint_stops_a_read_by_pyarrow(slow_repo, consumer):
    proxy, s = slow_repo
    p = subprocess.Popen([sys.executable, "-c", READ, proxy.url, s.read_token, consumer],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline() == "reading\n", p.stderr.read()
        time.sleep(1.5)
        p.send_signal(2)  # SIGINT, as Ctrl-C sends it
        sent = time.time()
        try:
            out, err = p.communicate(timeout=8)
        except subprocess.TimeoutExpired:
            pytest.fail("the read went on for 8 s after SIGINT")
        waited = time.time() - sent
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    print(f"{consumer}: exited {waited:.2f} s after SIGINT")
    assert (p.returncode, out) == (42, "KeyboardInterrupt\n"), (p.returncode, out, err[-2000:])
