"""`hfds serve` for the HTTP backend's tests (test_hub_*.py): serve_util's Server on a free
port, optionally announcing another public URL (a proxy in front of it) or a multipart chunk
size, with a write token (alice) and a read token (bob), and its access log for assertions."""
import re

from serve_util import Server, free_port


class Serve(Server):
    def __init__(self, hfds_bin, root, public_url=None, chunk_size=None):
        extra = []
        if public_url:
            extra += ["--public-url", public_url]
        if chunk_size:
            extra += ["--chunk-size", str(chunk_size)]
        root.parent.mkdir(parents=True, exist_ok=True)
        super().__init__(hfds_bin, root, free_port(), *extra)
        self.write_token = self.token("alice")
        self.read_token = self.token("bob", role="read")

    def requests(self):
        """The access log's request lines: (method, path, status)."""
        return [(m.group(1), m.group(2), int(m.group(3)))
                for m in re.finditer(r"^(GET|POST|PUT|DELETE|HEAD) (\S+) (\d{3})", self.log_text(), re.M)]

    def close(self):
        self.stop()
