"""A running `hfds serve` for the HTTP backend's tests: a store with a write and a read token,
the server on a free loopback port (optionally announcing another public URL, for a proxy in
front of it), its access log kept for assertions."""
import os
import re
import subprocess
import time


class Serve:
    def __init__(self, hfds_bin, root, public_url=None, chunk_size=None):
        self.bin = hfds_bin
        self.root = root
        self.write_token = self._token("alice", "write")
        self.read_token = self._token("bob", "read")
        args = [hfds_bin, "serve", "--port", "0", "--root", str(root)]
        if public_url:
            args += ["--public-url", public_url]
        if chunk_size:
            args += ["--chunk-size", str(chunk_size)]
        self.log_path = os.path.join(str(root), "..", "serve.log")
        self.log = open(self.log_path, "w+")
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.time() + 30
        self.port = None
        while time.time() < deadline and self.port is None:
            time.sleep(0.05)
            m = re.search(r"\(port (\d+)\)", open(self.log_path).read())
            if m:
                self.port = int(m.group(1))
        assert self.port, "hfds serve did not start: " + open(self.log_path).read()
        self.url = f"http://127.0.0.1:{self.port}"

    def _token(self, user, role):
        r = subprocess.run([self.bin, "token", "create", user, "--role", role, "--root", str(self.root)],
                           capture_output=True, text=True, check=True)
        return r.stdout.strip()

    def requests(self):
        """The access log's request lines: (method, path, status)."""
        out = []
        for line in open(self.log_path):
            m = re.match(r"(GET|POST|PUT|DELETE|HEAD) (\S+) (\d{3})", line)
            if m:
                out.append((m.group(1), m.group(2), int(m.group(3))))
        return out

    def close(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
