"""A seeded fault-injecting HTTP proxy for the HTTP backend's tests. Between the client and
`hfds serve` it answers some requests itself with 429 (Retry-After: 0) or 500/503, drops
others after reading them without forwarding (a reset mid-upload), and forwards some but
drops the answer (a lost answer: the server did the work, the client never hears of it).
Optionally (p_cut) it forwards only half of a request body to the server and then resets both
connections (an upload cut in the middle), and (p_stall) holds an answer for `stall` seconds
before passing it on (a stalled answer; longer than the client's stall timeout, it is lost).
`hold` lets a test stop the world at a request: {path substring: "before" | "after"} parks the
next such request before forwarding it (or after the server answered) until the client is gone,
and sets `held`. It counts the request body bytes it receives (bytes_in), the body bytes it
passed on to the server (bytes_out: what the server received), the peak number of requests of
each method it was forwarding at the same time (`peak`), and keeps the bodies of the paths
asked for. `cut_once` (path substrings) sends the next such answer's headers and half of its
body, then drops the connection (a download cut in the middle; counted as faults["answer_cut"])."""
import http.client
import http.server
import random
import socket
import threading
import time


class FaultProxy:
    def __init__(self, upstream_port=None, seed=1, p_status=0.10, p_reset=0.04, p_lost=0.04, p_cut=0.0,
                 p_stall=0.0, stall=0.0):
        self.upstream_port = upstream_port
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.p = (p_status, p_reset, p_lost, p_cut, p_stall)
        self.stall = stall
        self.bytes_in = 0
        self.bytes_out = 0
        self.faults = {"status": 0, "reset": 0, "lost": 0, "cut": 0, "stall": 0, "answer_cut": 0}
        self.hold = {}
        self.held = threading.Event()
        self.enabled = True
        self.lose_once = []   # path substrings: forward the next such request, then lose its answer
        self.cut_once = []    # path substrings: the next such answer stops halfway through its body
        self.delay = {}       # method -> seconds to wait before forwarding
        self.delay_once = []  # (path substring, seconds): the next such request waits, once each
        self.done = {}        # method -> requests answered
        self.active = {}      # method -> requests being forwarded now
        self.peak = {}        # method -> the most forwarded at once
        self.record = ()      # path substrings: keep the bodies of such requests in `recorded`
        self.recorded = []    # (method, path, body)
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _drop(self):
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

            def _any(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                if len(body) < n:   # the client went away mid-body: nothing to forward
                    return self._drop()
                with proxy.lock:
                    proxy.bytes_in += len(body)
                    if any(x in self.path for x in proxy.record):
                        proxy.recorded.append((self.command, self.path, body))
                    r = proxy.rng.random() if proxy.enabled else 1.0
                ps, pr, pl, pc, pst = proxy.p
                if r < ps:
                    with proxy.lock:
                        proxy.faults["status"] += 1
                    code = [429, 500, 503][int(r * 1000) % 3]
                    msg = b'{"error": "injected fault"}'
                    self.send_response(code)
                    if code == 429:
                        self.send_header("Retry-After", "0")
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(msg)))
                    self.end_headers()
                    self.wfile.write(msg)
                    return
                if r < ps + pr:
                    with proxy.lock:
                        proxy.faults["reset"] += 1
                    return self._drop()
                if ps + pr + pl <= r < ps + pr + pl + pc and len(body) > 1:
                    with proxy.lock:
                        proxy.faults["cut"] += 1
                    self._cut(body)
                    return self._drop()
                with proxy.lock:
                    n = proxy.active[self.command] = proxy.active.get(self.command, 0) + 1
                    proxy.peak[self.command] = max(proxy.peak.get(self.command, 0), n)
                with proxy.lock:
                    once = next((d for d in proxy.delay_once if d[0] in self.path), None)
                    if once:
                        proxy.delay_once.remove(once)
                try:
                    time.sleep(proxy.delay.get(self.command, 0) + (once[1] if once else 0))
                    if self._park("before"):
                        return self._drop()
                    with proxy.lock:
                        proxy.bytes_out += len(body)
                    conn = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, timeout=120)
                    headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "host")}
                    headers["Host"] = f"127.0.0.1:{proxy.upstream_port}"
                    conn.request(self.command, self.path,
                                 body=body if body or self.command in ("POST", "PUT") else None, headers=headers)
                    resp = conn.getresponse()
                    data = resp.read()
                    conn.close()
                finally:
                    with proxy.lock:
                        proxy.active[self.command] -= 1
                lose = next((x for x in proxy.lose_once if x in self.path), None)
                if lose:
                    with proxy.lock:
                        proxy.lose_once.remove(lose)
                if lose or r < ps + pr + pl:
                    with proxy.lock:
                        proxy.faults["lost"] += 1
                    return self._drop()
                if self._park("after"):
                    return self._drop()
                if ps + pr + pl + pc <= r < ps + pr + pl + pc + pst:
                    with proxy.lock:
                        proxy.faults["stall"] += 1
                    time.sleep(proxy.stall)
                cut = next((x for x in proxy.cut_once if x in self.path), None)
                if cut and len(data) > 1:
                    with proxy.lock:
                        proxy.cut_once.remove(cut)
                        proxy.faults["answer_cut"] += 1
                self.send_response(resp.status)
                for k, v in resp.getheaders():
                    if k.lower() not in ("connection", "transfer-encoding", "content-length", "keep-alive"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if cut and len(data) > 1:
                    self.wfile.write(data[:len(data) // 2])
                    self.wfile.flush()
                    return self._drop()
                if self.command != "HEAD":
                    self.wfile.write(data)
                with proxy.lock:
                    proxy.done[self.command] = proxy.done.get(self.command, 0) + 1

            def _cut(self, body):
                """Sends the server the headers and half of the body, then hangs up."""
                half = body[:len(body) // 2]
                head = f"{self.command} {self.path} HTTP/1.1\r\nHost: 127.0.0.1:{proxy.upstream_port}\r\n"
                for k, v in self.headers.items():
                    if k.lower() not in ("connection", "host"):
                        head += f"{k}: {v}\r\n"
                with socket.create_connection(("127.0.0.1", proxy.upstream_port), timeout=30) as s:
                    s.sendall(head.encode() + b"\r\n" + half)
                with proxy.lock:
                    proxy.bytes_out += len(half)

            def _park(self, when):
                """Holds a request named in proxy.hold until the client has gone; 1 = it was held."""
                key = next((k for k, w in proxy.hold.items() if w == when and k in self.path), None)
                if key is None:
                    return 0
                with proxy.lock:
                    proxy.hold.pop(key, None)
                proxy.held.set()
                while True:   # the test kills the client: the connection reads EOF
                    time.sleep(0.05)
                    try:
                        self.connection.setblocking(False)
                        if self.connection.recv(1, socket.MSG_PEEK) == b"":
                            break
                    except BlockingIOError:
                        pass
                    except OSError:
                        break
                    finally:
                        self.connection.setblocking(True)
                return 1

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _any

        class Quiet(http.server.ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass   # a client that timed out on a stalled answer: its broken pipe is expected

        self.server = Quiet(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
