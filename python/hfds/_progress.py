"""The progress display of push_to_hub and chess.push: the library's progress events
(hfds_ds_progress_fn: "shard", "commit"; the uploader's "stored"; the writer's "rows"; the chess
publisher's "games" and "batch") drawn as ONE line on stderr, redrawn in place (tqdm-like)
at most 10 times a second when stderr is a terminal. On a non-terminal stderr only the final
line is printed; with ``progress=False`` nothing. ``progress`` may also be a callable, which
then receives every event as ``(what, done, total)``.

Events arrive from the library's threads; the extension calls in with the GIL held, so the
display needs no lock of its own.
"""
import sys
import time

_UNITS = {"rows": "rows", "games": "games", "shard": "shards", "stored": "shards uploaded", "batch": "batches", "commit": "files committed"}


def _num(n):
    return f"{n:,}"


class Progress:
    def __init__(self, label, stream=None, interval=0.1):
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.interval = interval
        self.t0 = time.monotonic()
        self.last = 0.0
        self.state = {}  # what -> (done, total), in the order first seen
        self.width = 0

    def __call__(self, what, done, total):
        self.state[what] = (done, total)
        now = time.monotonic()
        if self.tty and now - self.last >= self.interval:
            self.last = now
            self._draw("\r")

    def line(self):
        parts = []
        for what, (done, total) in self.state.items():
            unit = _UNITS.get(what, what)
            parts.append(f"{_num(done)}/{_num(total)} {unit}" if total else f"{_num(done)} {unit}")
        secs = time.monotonic() - self.t0
        rate = ""
        if "rows" in self.state and secs > 0:
            rate = f", {self.state['rows'][0] / secs:,.0f} rows/s"
        return f"{self.label}: {', '.join(parts) or 'starting'} [{secs:.1f}s{rate}]"

    def _draw(self, lead):
        text = self.line()
        pad = max(0, self.width - len(text))
        self.width = len(text)
        self.stream.write(lead + text + " " * pad)
        self.stream.flush()

    def close(self, ok=True):
        """Final line (also on a non-terminal), ending with a newline."""
        if self.tty:
            self._draw("\r")
            self.stream.write("\n" if ok else " (stopped)\n")
        elif ok:
            self.stream.write(self.line() + "\n")
        self.stream.flush()


def make(progress, label):
    """(callable for the extension or None, Progress to close or None) for a progress= value."""
    if callable(progress):
        return progress, None
    if not progress:
        return None, None
    p = Progress(label)
    return p, p
