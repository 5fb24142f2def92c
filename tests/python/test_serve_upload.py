"""Multipart LFS uploads to a real `hfds serve` (issue 11, the server's upload path): parts
are written in place into one file and hashed as they arrive (the in-order prefix; the rest,
or everything after a rewrite, at the completion), so these check what
that design must still guarantee. Parts sent concurrently, out of order and twice give the
object; a missing part or a part with other bytes is refused at the completion and nothing
is stored; a part still arriving when the completion comes in is waited for (a 503 with
Retry-After after 10 s) and can never change an object after it was verified (the late bytes
make the completion fail instead); a part sent after the completion leaves the stored object
as it is; nothing is left in <root>/tmp. The clients' own multipart path (huggingface_hub, hfds) is in test_serve_hub.py
and test_hub_http.py."""
import fcntl
import hashlib
import json
import os
import socket
import threading
import time

from serve_util import endpoint_for_module, request, server_fixture

PORT = endpoint_for_module()

from huggingface_hub import HfApi  # noqa: E402

CHUNK = 1 << 20


def _repo(s):
    HfApi(endpoint=s.url, token=s.alice).create_repo("alice/u", repo_type="dataset")


server = server_fixture(PORT, "--chunk-size", str(CHUNK), "--timeout", "5", setup=_repo)


def batch(server, data):
    oid = hashlib.sha256(data).hexdigest()
    body = json.dumps({"operation": "upload", "transfers": ["basic"], "objects": [{"oid": oid, "size": len(data)}]})
    status, _, resp = request(server, "POST", "/datasets/alice/u.git/info/lfs/objects/batch", body=body,
                              headers={"Authorization": f"Bearer {server.alice}",
                                       "Content-Type": "application/vnd.git-lfs+json"})
    assert status == 200
    up = json.loads(resp)["objects"][0]["actions"]["upload"]
    parts = [up["header"][k] for k in sorted(up["header"]) if k != "chunk_size"]
    assert int(up["header"]["chunk_size"]) == CHUNK and len(parts) == (len(data) + CHUNK - 1) // CHUNK
    return oid, up["href"][len(server.url):], [p[len(server.url):] for p in parts]


def put_part(server, path, data, i):
    status, headers, _ = request(server, "PUT", path, body=data[i * CHUNK:(i + 1) * CHUNK])
    assert status == 200 and headers.get("ETag"), (i, status)
    return headers["ETag"]


def complete(server, href, oid, n):
    body = json.dumps({"oid": oid, "parts": [{"partNumber": i + 1, "etag": "x"} for i in range(n)]})
    return request(server, "POST", href, body=body, headers={"Content-Type": "application/json"})[0]


def wait_for_part_writer(server, oid, size):
    """Until a part writer holds its shared flock on the upload's data file: the server has
    taken the stalled PUT in hand (sending its head is not enough on a loaded machine, where the
    completion could otherwise be served first and rightly answer 200)."""
    path = server.root / "tmp" / f"mp-{oid}-{size}" / "data"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        fd = os.open(path, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(fd, fcntl.LOCK_UN)
        except BlockingIOError:
            return
        finally:
            os.close(fd)
        time.sleep(0.01)
    raise AssertionError("the stalled part was never taken in hand by the server")


def stored(server, oid):
    p = server.root / "lfs" / "objects" / oid[:2] / oid[2:4] / oid
    return p.read_bytes() if p.exists() else None


def leftovers(server):
    tmp = server.root / "tmp"
    return sorted(p.name for p in tmp.iterdir()) if tmp.exists() else []


def test_parts_concurrent_out_of_order_and_twice(server):
    data = os.urandom(5 * CHUNK + 4321)
    oid, href, parts = batch(server, data)
    order = [5, 2, 0, 4, 3, 1, 2]     # part 3 twice
    threads = [threading.Thread(target=put_part, args=(server, parts[i], data, i)) for i in order]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert complete(server, href, oid, len(parts)) == 200
    assert stored(server, oid) == data
    assert leftovers(server) == []
    # the batch API now says the object exists: no upload action
    body = json.dumps({"operation": "upload", "objects": [{"oid": oid, "size": len(data)}]})
    _, _, resp = request(server, "POST", "/datasets/alice/u.git/info/lfs/objects/batch", body=body,
                         headers={"Authorization": f"Bearer {server.alice}"})
    assert "actions" not in json.loads(resp)["objects"][0]


def test_prefix_hash_in_any_order(server):
    # the sha256 is computed while parts arrive (the in-order prefix, carried on through parts
    # already complete): every order gives the object, and a flipped byte anywhere, in any
    # order, or a part rewritten with other bytes after it was hashed, is refused
    for order in ([0, 1, 2, 3], [3, 2, 1, 0], [1, 0, 3, 2], [2, 0, 1, 3, 0]):
        for flip in (None, 5, CHUNK + 1, 3 * CHUNK + 3):
            data = os.urandom(3 * CHUNK + 77)
            oid, href, parts = batch(server, data)
            sent = bytearray(data)
            if flip is not None:
                sent[flip] ^= 0x40
            for i in order:
                put_part(server, parts[i], bytes(sent), i)
            want = 200 if flip is None else 400
            assert complete(server, href, oid, len(parts)) == want, (order, flip)
            assert stored(server, oid) == (data if flip is None else None), (order, flip)
    # parts sent in parallel, two at a time, then a hashed part rewritten with other bytes
    data = os.urandom(4 * CHUNK + 5)
    oid, href, parts = batch(server, data)
    for pair in ((0, 1), (2, 3), (4,)):
        ts = [threading.Thread(target=put_part, args=(server, parts[i], data, i)) for i in pair]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
    put_part(server, parts[1], os.urandom(len(data)), 1)
    assert complete(server, href, oid, len(parts)) == 400 and stored(server, oid) is None
    for i in range(len(parts)):
        put_part(server, parts[i], data, i)
    assert complete(server, href, oid, len(parts)) == 200 and stored(server, oid) == data
    assert leftovers(server) == []


def test_missing_and_wrong_parts_are_refused(server):
    data = os.urandom(3 * CHUNK + 10)
    oid, href, parts = batch(server, data)
    for i in (0, 1, 3):
        put_part(server, parts[i], data, i)
    assert complete(server, href, oid, len(parts)) == 400      # part 3 missing
    assert stored(server, oid) is None
    bad = bytearray(data)
    bad[2 * CHUNK + 7] ^= 1
    put_part(server, parts[2], bytes(bad), 2)
    assert complete(server, href, oid, len(parts)) == 400      # a flipped byte in part 3
    assert stored(server, oid) is None and leftovers(server) == []
    for i in range(len(parts)):                                 # sent again: accepted
        put_part(server, parts[i], data, i)
    assert complete(server, href, oid, len(parts)) == 200 and stored(server, oid) == data
    assert leftovers(server) == []


def test_part_arriving_during_and_after_completion(server):
    data = os.urandom(2 * CHUNK + 99)
    oid, href, parts = batch(server, data)
    for i in range(len(parts)):
        put_part(server, parts[i], data, i)
    # part 2 again, with other bytes, from a client that stalls halfway; the completion arrives meanwhile
    late = os.urandom(CHUNK)
    s = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    s.sendall(f"PUT {parts[1]} HTTP/1.1\r\nHost: x\r\nContent-Length: {CHUNK}\r\n\r\n".encode() + late[:CHUNK // 2])
    wait_for_part_writer(server, oid, len(data))
    result = {}
    t = threading.Thread(target=lambda: result.update(status=complete(server, href, oid, len(parts))))
    t.start()
    time.sleep(1.0)
    s.sendall(late[CHUNK // 2:])
    assert b" 200 " in s.recv(4096).split(b"\r\n")[0]
    s.close()
    t.join()
    # whatever the completion answered, a stored object has exactly the signed bytes; here the late
    # part was waited for, so the completion saw its bytes and refused them
    assert result["status"] == 400 and stored(server, oid) is None
    for i in range(len(parts)):
        put_part(server, parts[i], data, i)
    assert complete(server, href, oid, len(parts)) == 200 and stored(server, oid) == data
    # a part sent after the completion changes nothing stored
    put_part(server, parts[0], os.urandom(CHUNK), 0)
    assert stored(server, oid) == data
    assert oct(os.stat(server.root / "lfs" / "objects" / oid[:2] / oid[2:4] / oid).st_mode & 0o777) == "0o444"


def test_completion_while_a_part_stalls_is_503(server):
    """A part that stalls past the completion's wait (10 s; this server's idle timeout is 5 s, so
    the stalled sender keeps trickling bytes) gets the completion a 503 with Retry-After, not a
    verdict on half-written bytes; once the part is in, the completion succeeds."""
    data = os.urandom(2 * CHUNK + 5)
    oid, href, parts = batch(server, data)
    for i in range(len(parts)):
        put_part(server, parts[i], data, i)
    body = data[CHUNK:2 * CHUNK]
    s = socket.create_connection(("127.0.0.1", server.port), timeout=60)
    s.sendall(f"PUT {parts[1]} HTTP/1.1\r\nHost: x\r\nContent-Length: {CHUNK}\r\n\r\n".encode() + body[:1000])
    wait_for_part_writer(server, oid, len(data))
    result = {}
    t = threading.Thread(target=lambda: result.update(r=request(server, "POST", href, body=json.dumps(
        {"oid": oid, "parts": [{"partNumber": i + 1, "etag": "x"} for i in range(len(parts))]}),
        headers={"Content-Type": "application/json"})))
    t.start()
    sent = 1000
    while t.is_alive():          # a byte a second keeps the stalled upload alive
        time.sleep(1.0)
        s.sendall(body[sent:sent + 1])
        sent += 1
    t.join()
    status, headers, _ = result["r"]
    assert status == 503 and headers.get("Retry-After"), (status, headers)
    assert stored(server, oid) is None
    s.sendall(body[sent:])
    assert b" 200 " in s.recv(4096).split(b"\r\n")[0]
    s.close()
    assert complete(server, href, oid, len(parts)) == 200 and stored(server, oid) == data
