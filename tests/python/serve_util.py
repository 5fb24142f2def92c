"""A real `hfds serve` on a free loopback port for the Python judges (test_serve_*.py).

HF_ENDPOINT must be set before huggingface_hub / datasets are imported (they read it once),
so the port is chosen at import time of the test module: call endpoint_for_module() first,
then import the clients, then use the `Server` class from a module-scoped fixture.
"""
import http.client
import os
import pathlib
import re
import signal
import socket
import subprocess
import time

import pytest


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def endpoint_for_module():
    port = free_port()
    os.environ["HF_ENDPOINT"] = f"http://127.0.0.1:{port}"
    os.environ["HF_HUB_DISABLE_XET"] = "1"
    return port


class Server:
    def __init__(self, hfds_bin, root, port, *extra):
        self.bin = hfds_bin
        self.root = pathlib.Path(root)
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log = open(self.root.parent / f"serve-{port}.log", "w+")
        self.proc = subprocess.Popen([hfds_bin, "serve", "--port", str(port), "--root", str(root), *extra],
                                     stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("hfds serve exited: " + self.log_text())
                time.sleep(0.1)
        raise RuntimeError("hfds serve did not start")

    def token(self, user, *orgs, role="write"):
        args = [self.bin, "token", "create", user, "--role", role, "--root", str(self.root)]
        for o in orgs:
            args += ["--org", o]
        out = subprocess.run(args, check=True, capture_output=True, text=True).stdout.strip()
        assert re.fullmatch(r"hf_[A-Za-z0-9]{34}", out), out
        return out

    def log_text(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.final_log = self.log_text()
        self.log.close()
        return self.proc.returncode


def request(server, method, path, body=None, headers=None):
    """One request on a fresh connection: (status, headers dict, body bytes)."""
    c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, dict(r.getheaders()), data


def server_fixture(port, *extra, setup=None):
    """A module-scoped `server` fixture: `hfds serve` on `port` over a fresh root, with a write
    token for alice (org acme) in `server.alice`; `setup(server)` may add more. At teardown
    SIGTERM must end it with exit 0 (under ASan that also means no leak)."""
    @pytest.fixture(scope="module")
    def server(hfds_bin, tmp_path_factory):
        s = Server(hfds_bin, tmp_path_factory.mktemp("serve") / "hub", port, *extra)
        s.alice = s.token("alice", "acme")
        if setup:
            setup(s)
        yield s
        assert s.stop() == 0, s.final_log[-5000:]
    return server


def content_bytes(log_text):
    """Body bytes of the successful GETs of file content (resolve URLs and the LFS objects they
    redirect to) in a slice of a server's access log: what a reader fetched."""
    total = 0
    for line in log_text.splitlines():
        m = re.match(r"GET (\S+) (\d+) (\d+) ", line)
        if m and m.group(2) in ("200", "206") and ("/resolve/" in m.group(1) or "/_hfds/" in m.group(1)):
            total += int(m.group(3))
    return total
