"""`hfds push`'s progress as a person and a script see it, against `hfds serve` behind the
seeded fault-injecting proxy (so requests are retried): on a terminal (stderr on a
pseudo-terminal of 80 columns) ONE progress bar redrawn in place — bytes growing to the total,
MB/s, ETA, files n/N, retries >= 1 — that never overflows the line and leaves a clean final
line; without a terminal plain lines and no bar; --json one valid JSON object per line with
the documented events; -q nothing on success; the documented exit codes."""
import json
import os
import re
import struct
import subprocess
import termios
import tty

import fcntl
import pytest

from faultproxy import FaultProxy
from hubserve import Serve
from ptyread import read_until_closed

COLS = 80
BAR = re.compile(r"hfds push: (\d+\.\d)/(\d+\.\d) MB  (\d+\.\d) MB/s  ETA (\d+)s  files (\d+)/(\d+)  retries (\d+)")
EVENTS = {"features", "rows", "shard", "dropped", "warning", "queued", "stored", "retained", "commit",
          "committed", "unchanged", "no_changes", "split", "kept", "done"}


@pytest.fixture
def faulty(hfds_bin, tmp_path):
    proxy = FaultProxy(seed=5, p_status=0.15, p_reset=0, p_lost=0)
    s = Serve(hfds_bin, tmp_path / "server" / "hub", public_url=proxy.url)
    proxy.upstream_port = s.port
    yield s, proxy
    proxy.close()
    s.close()


def source(tmp_path, n=20000):
    p = tmp_path / "train.jsonl"
    p.write_text("".join(json.dumps({"id": i, "text": f"row {i} " + "x" * (i % 50)}) + "\n" for i in range(n)))
    return p


def env_for(s, proxy):
    return dict(os.environ, HF_ENDPOINT=proxy.url, HF_TOKEN=s.write_token, HFDS_HUB_RETRY_BASE_MS="20",
                HFDS_HUB_RETRIES="8")


def run_on_pty(args, env, timeout=300):
    """Runs args with stderr on a raw pseudo-terminal of COLS columns: (rc, stdout, tty bytes)."""
    master, slave = os.openpty()
    tty.setraw(slave)   # no \n -> \r\n translation: the bytes as hfds wrote them
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, COLS, 0, 0))
    p = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    got = read_until_closed(master)
    out = p.stdout.read().decode()
    p.stdout.close()
    return p.wait(timeout=timeout), out, got.decode()


def render(text, width):
    """What a terminal of `width` columns shows: \\r, \\n, ESC[K (erase to end of line) and
    automatic wrapping. Any other escape sequence fails the test."""
    lines, col, i = [[]], 0, 0
    while i < len(text):
        if text.startswith("\x1b[K", i):
            del lines[-1][col:]
            i += 3
            continue
        c = text[i]
        assert c != "\x1b", f"unexpected escape sequence {text[i:i + 8]!r}"
        if c == "\r":
            col = 0
        elif c == "\n":
            lines.append([])
            col = 0
        else:
            if col >= width:
                lines.append([])
                col = 0
            line = lines[-1]
            if col < len(line):
                line[col] = c
            else:
                line.append(c)
            col += 1
        i += 1
    return ["".join(line) for line in lines]


def test_bar_on_a_terminal_with_retries(faulty, hfds_bin, tmp_path):
    s, proxy = faulty
    src = source(tmp_path)
    rc, out, screen = run_on_pty([hfds_bin, "push", "alice/bar", "--split", f"train={src}",
                                  "--max-shard-size", "60KB", "--upload-workers", "2"], env_for(s, proxy))
    assert rc == 0, screen[-3000:]
    assert re.fullmatch(r"[0-9a-f]{40}\n", out), out
    assert proxy.faults["status"] >= 1

    # the frames as drawn, in order: each one starts at column 0 and erases the old line
    frames = [f for f in re.split(r"[\r\n]", screen) if BAR.search(f)]
    assert len(frames) >= 3, screen[-2000:]
    for f in frames:
        assert f.startswith("\x1b[K") and BAR.match(f[3:]), repr(f)
        tail = f[3 + BAR.match(f[3:]).end():]
        assert tail == "" or re.fullmatch(r"  default/train: \d+ rows", tail), f"a cut frame: {f!r}"
        assert len(f) - 3 < COLS, f"a bar of {len(f) - 3} columns on an {COLS}-column terminal wraps: {f!r}"
    vals = [BAR.match(f[3:]).groups() for f in frames]
    done = [float(v[0]) for v in vals]
    files = [int(v[4]) for v in vals]
    retries = [int(v[6]) for v in vals]
    assert done == sorted(done) and files == sorted(files) and retries == sorted(retries), vals
    assert all(float(v[2]) >= 0 and int(v[3]) >= 0 for v in vals)
    last = vals[-1]
    assert last[0] == last[1] and float(last[1]) > 0.1, last        # all bytes, to the total
    assert last[4] == last[5], last                                   # files n/N, all stored
    assert int(last[6]) >= 1, "faults were injected but the bar counts no retry"

    from huggingface_hub import HfApi
    shards = [f for f in HfApi(endpoint=s.url, token=s.write_token).list_repo_files("alice/bar", repo_type="dataset")
              if f.startswith("data/")]
    assert int(last[5]) == len(shards) >= 3

    # what the person sees at the end: one bar line, complete, then the summary; nothing
    # left over from earlier, longer frames, no line wrapped
    shown = [line for line in render(screen, COLS) if line]
    bars = [line for line in shown if "MB/s" in line]
    assert len(bars) == 1 and BAR.fullmatch(bars[0]), shown
    assert shown.index(bars[0]) == len(shown) - 2, shown
    assert re.fullmatch(r"hfds push: default/train: 20000 rows in \d+ file\(s\)", shown[-1]), shown
    assert all(line.count("hfds push:") <= 1 for line in shown), shown


def test_lines_json_quiet_and_exit_codes(faulty, hfds, tmp_path):
    s, proxy = faulty
    src = source(tmp_path, 5000)
    env = {"HF_ENDPOINT": proxy.url, "HF_TOKEN": s.write_token, "HFDS_HUB_RETRY_BASE_MS": "20",
           "HFDS_HUB_RETRIES": "8"}
    push = ["push", "alice/lines", "--split", f"train={src}", "--max-shard-size", "40KB"]

    # no terminal: summary lines, no bar, no carriage return or escape
    r = hfds(*push, env=env)
    assert "\r" not in r.stderr and "\x1b" not in r.stderr and "MB/s" not in r.stderr, r.stderr
    assert re.search(r"^hfds push: default/train: 5000 rows in \d+ file\(s\)$", r.stderr, re.M), r.stderr

    # --json: one object per line, documented events, counters that add up
    (tmp_path / "train.jsonl").write_text(src.read_text() + json.dumps({"id": -1, "text": "one more"}) + "\n")
    j = hfds(*push, "--json", env=env)
    events = [json.loads(line) for line in j.stderr.splitlines()]
    kinds = [e["event"] for e in events]
    assert set(kinds) <= EVENTS, set(kinds) - EVENTS
    for k in ("rows", "shard", "queued", "stored", "commit", "committed", "split", "done"):
        assert k in kinds, (k, kinds)
    assert kinds[-1] == "done" and events[-1]["sha"] == j.stdout.strip()
    stored = [e for e in events if e["event"] == "stored"]
    assert stored[-1]["files_done"] == stored[-1]["files_total"] == kinds.count("queued")
    assert [e["bytes_done"] for e in stored] == sorted(e["bytes_done"] for e in stored)
    assert stored[-1]["bytes_done"] == stored[-1]["bytes_total"] > 0
    assert all(isinstance(e.get("retries", 0), int) for e in events)

    # -q: nothing on stderr, the commit on stdout
    (tmp_path / "train.jsonl").write_text(src.read_text())
    q = hfds(*push, "-q", env=env)
    assert q.stderr == "" and re.fullmatch(r"[0-9a-f]{40}\n", q.stdout)

    # exit codes as documented in --help: 2 usage, 3 invalid input data, 1 the hub refused
    assert "exit codes: 0 done" in hfds("push", "--help", env=env).stdout
    assert hfds("push", "alice/lines", "--split", "bad", env=env, check=False).returncode == 2
    (tmp_path / "bad.jsonl").write_text('{"id": 1}\n{"id": \n')
    bad = hfds("push", "alice/lines", "--split", f"train={tmp_path / 'bad.jsonl'}", env=env, check=False)
    assert bad.returncode == 3 and "bad.jsonl:2:" in bad.stderr, bad.stderr
    ro = dict(env, HF_TOKEN=s.read_token)
    assert hfds(*push, env=ro, check=False).returncode == 1
