"""hfds.Stream: record batches read by the C library.

A Stream has ``__arrow_c_stream__``: ``pyarrow.RecordBatchReader.from_stream(s)``,
``pyarrow.table(s)``, ``polars.from_arrow(s)`` or ``duckdb.sql("select * from s")`` read the
batches straight from C, without a copy and without Python per batch. Iterating a Stream in
Python yields ``pyarrow.RecordBatch`` objects (pyarrow is imported then, not before);
``iter_rows()`` yields dict rows. ``state()`` is a small JSON-able dict from which the same
source can be re-opened to continue exactly after the last batch or row handed out.

Ctrl-C: iteration raises KeyboardInterrupt between batches; while a consumer such as
``pa.table(s)`` reads the C stream, the stream ends at the next row group and the
KeyboardInterrupt is raised at that consumer's call (the stream cannot be read further).
"""


class Stream:
    """A stream of Arrow record batches (see the module docstring)."""

    def __init__(self, c, state):
        self._c = c
        self._state = dict(state)
        self._base = int(self._state.get("rows", 0))
        self._delivered = 0

    # ---- Arrow PyCapsule interface -------------------------------------------------------
    def __arrow_c_stream__(self, requested_schema=None):
        """Moves the C stream into a capsule (a Stream can be exported once)."""
        return self._c.__arrow_c_stream__(requested_schema)

    def __arrow_c_schema__(self):
        return self._c.__arrow_c_schema__()

    # ---- Python iteration ----------------------------------------------------------------
    def _next_batch(self):
        import pyarrow as pa
        caps = self._c.next_batch()
        if caps is None:
            return None
        return pa.RecordBatch._import_from_c_capsule(*caps)

    def __iter__(self):
        """Yields pyarrow.RecordBatch objects (needs pyarrow)."""
        while True:
            b = self._next_batch()
            if b is None:
                return
            self._delivered += b.num_rows
            yield b

    def iter_rows(self):
        """Yields each row as a dict (needs pyarrow)."""
        while True:
            b = self._next_batch()
            if b is None:
                return
            for row in b.to_pylist():
                self._delivered += 1
                yield row

    def read_all(self):
        """Everything left, as a pyarrow.Table."""
        import pyarrow as pa
        return pa.RecordBatchReader.from_stream(self).read_all()

    # ---- resuming ------------------------------------------------------------------------
    def state(self):
        """Where this stream is: pass it back as ``state=`` to continue after the rows handed
        out so far by iteration (a dict of plain values; json.dumps works on it)."""
        s = dict(self._state)
        s["rows"] = self._base + self._delivered
        return s

    def close(self):
        """Releases the C stream and its open files."""
        self._c.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"hfds.Stream({self._state.get('kind', 'stream')}, rows={self._base + self._delivered})"
