#!/usr/bin/env python3
"""CLI checks for `hfds chess`: the seed-42 golden trace through `chess sample`, the npz
files of `chess npz` parsed with the standard library (zipfile + a manual NPY header parse,
no numpy), and the replay output of a small game.

usage: chess_cli.py HFDS_BIN SHARED_DIR TMP_DIR
"""
import ast
import io
import os
import shutil
import struct
import subprocess
import sys
import zipfile

hfds, shared, tmp = sys.argv[1:4]
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL", msg, file=sys.stderr)


def run(*args, stdin=None):
    r = subprocess.run([hfds, *args], input=stdin, capture_output=True)
    return r.returncode, r.stdout.decode(), r.stderr.decode()


lichess = os.path.join(shared, "testdata/pgn/lichess/lichess_db_1000k.pgn")

# 1. golden trace: positions, order, tokens, FEN, FNV-1a-64 over all token bytes
golden = [l.rstrip("\n").split("\t") for l in open(os.path.join(shared, "golden/chesspos_seed42_lichess_db_1000k.tsv")) if not l.startswith("#")]
rc, tok_out, err = run("chess", "sample", lichess, "--sampler", "chesspos-v1", "--seed", "42", "--format", "tokens")
check(rc == 0, f"sample tokens exit {rc}: {err}")
rc, fen_out, err = run("chess", "sample", lichess, "--sampler", "chesspos-v1", "--seed", "42", "--format", "fen", "--quiet")
check(rc == 0, f"sample fen exit {rc}: {err}")
toks = [l.split("\t") for l in tok_out.splitlines()]
fens = [l.split("\t") for l in fen_out.splitlines()]
check(len(toks) == len(golden) == 55, f"golden: {len(toks)} positions, expected {len(golden)}")
for g, t, f in zip(golden, toks, fens):
    want_game = int(g[2].split("=")[1])
    want_ply = int(g[3].split("=")[1]) + 1
    check(int(t[0]) == want_game and int(t[1]) == want_ply, f"golden: game/ply {t[:2]} vs {want_game}/{want_ply}")
    check(t[2] == g[6], f"golden: tokens differ at game {want_game} ply {want_ply}")
    check(f[2] == g[5], f"golden: fen {f[2]} vs {g[5]}")
h = 0xCBF29CE484222325
for t in toks:
    for x in t[2].split(","):
        h = ((h ^ (int(x) & 0xFF)) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
check(h == 0x83251DE0F7C579C5, f"golden: fnv {h:#x}")

# 2. the same through stdin, gzip on stdin
with open(lichess, "rb") as fh:
    raw = fh.read()
rc, out, err = run("chess", "sample", "-", "--sampler", "chesspos-v1", "--seed", "42", "--format", "tokens", "--quiet", stdin=raw)
check(rc == 0 and out == tok_out, "stdin: output differs from the file run")
import gzip
rc, out, err = run("chess", "sample", "-", "--sampler", "chesspos-v1", "--seed", "42", "--format", "tokens", "--quiet", stdin=gzip.compress(raw))
check(rc == 0 and out == tok_out, "gzip stdin: output differs from the file run")

# 3. npz: zip entry data.npy, deflated, NPY v1.0 header, int8 N x 69, rows equal `sample --sampler all`
small = os.path.join(shared, "testdata/pgn/lichess/lichess_db_10k.pgn")
out_dir = os.path.join(tmp, "npz")
shutil.rmtree(out_dir, ignore_errors=True)
rc, out, err = run("chess", "npz", "--data-path", small, "--out", out_dir, "--chunk-size", "100", "--train-ratio", "0.9", "--sampler", "all")
check(rc == 0, f"npz exit {rc}: {err}")
rc, ref, err = run("chess", "sample", small, "--sampler", "all", "--format", "tokens", "--quiet")
ref_rows = [bytes(int(x) for x in l.split("\t")[2].split(",")) for l in ref.splitlines()]
got_rows = []
n_files = (len(ref_rows) + 99) // 100
for k in range(n_files):
    for split in ("train", "test"):
        path = os.path.join(out_dir, split, f"position_tensor_{k:03d}.npz")
        check(os.path.exists(path), f"npz: missing {path}")
        if not os.path.exists(path):
            continue
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            check([i.filename for i in infos] == ["data.npy"], f"npz: entries {[i.filename for i in infos]}")
            check(infos[0].compress_type == zipfile.ZIP_DEFLATED, "npz: entry not deflated")
            data = z.read("data.npy")
        check(data[:8] == b"\x93NUMPY\x01\x00", "npy: magic/version")
        hlen = struct.unpack("<H", data[8:10])[0]
        check((10 + hlen) % 64 == 0, f"npy: preamble {10 + hlen} not a multiple of 64")
        header = data[10:10 + hlen].decode("latin1")
        check(header.endswith("\n"), "npy: header does not end in newline")
        d = ast.literal_eval(header.strip())
        check(list(d.keys()) == ["descr", "fortran_order", "shape"], f"npy: keys {list(d.keys())}")
        check(d["descr"] == "|i1" and d["fortran_order"] is False, f"npy: {d}")
        rows, cols = d["shape"]
        check(cols == 69, f"npy: shape {d['shape']}")
        body = data[10 + hlen:]
        check(len(body) == rows * cols, f"npy: {len(body)} bytes for {d['shape']}")
        chunk_len = min(100, len(ref_rows) - 100 * k)
        ntrain = int(chunk_len * 0.9)
        check(rows == (ntrain if split == "train" else chunk_len - ntrain), f"npy: {split} {k} has {rows} rows")
        got_rows += [bytes(b & 0xFF for b in body[i * 69:(i + 1) * 69]) for i in range(rows)]
check(got_rows == ref_rows, f"npz: {len(got_rows)} rows differ from sample output ({len(ref_rows)})")
# numpy's header length for (90000, 69): 128-byte preamble (spec §2.5)
d = "{'descr': '|i1', 'fortran_order': False, 'shape': (90000, 69), }" + " " * 16
check(10 + len(d) + 1 + (64 - (10 + len(d) + 1) % 64) == 128, "npy: reference preamble")

# 4. replay: ply 0 is the start; e.p. square only when a capture is legal
pgn = b"1. e4 d5 2. e5 f5 3. exf6 *\n"
rc, out, err = run("chess", "replay", "-", stdin=pgn)
lines = out.splitlines()
check(rc == 0 and len(lines) == 6, f"replay: {rc} {lines}")
check(lines[0] == "0\t0\trnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1", f"replay: {lines[:1]}")
check(lines[1].endswith("b KQkq - 0 1"), f"replay: e3 not legal e.p.: {lines[1]}")
check(lines[4].endswith("w KQkq f6 0 3"), f"replay: f6 e.p.: {lines[4]}")
rc, out, err = run("chess", "replay", "-", stdin=b"1. e4 Nf9 2. d4 *\n")
check(rc == 0 and len(out.splitlines()) == 2 and "-:1:7: invalid san 'Nf9'" in err, f"replay bad move: {out} {err}")
rc, out, err = run("chess", "sample", "/nonexistent.pgn")
check(rc != 0 and "nonexistent" in err, "missing input must fail")
rc, out, err = run("chess", "sample", lichess, "--sampler", "bogus")
check(rc == 2, "unknown sampler is a usage error")

print(f"chess_cli: {len(failures)} failure(s)")
sys.exit(1 if failures else 0)
