"""Input data -> (Features, Arrow stream capsule) for the writer.

Anything with ``__arrow_c_stream__`` (pyarrow, polars, pandas >= 2.2, DuckDB relations, an
hfds.Stream) is asked for the features' storage schema (``requested_schema``); producers that
honour it (pyarrow, pandas, DuckDB) cast themselves. If the stream still differs (polars
exports string_view and large_list) and pyarrow is installed, pyarrow casts it batch by batch;
without pyarrow the difference is reported. A ``datasets.Dataset`` gives its Arrow table and its
features. Any other iterable is taken as dict rows: they go through the C JSON Lines reader in
chunks (bytes as base64), so no row is converted in Python beyond ``json.dumps``.
"""
import base64
import json
import os
import tempfile

from . import _hfds
from ._features import Features, _SchemaCapsule

ROWS_PER_CHUNK = 50_000


def _is_dataset(data):
    return hasattr(data, "features") and hasattr(data, "data") and hasattr(data, "_fingerprint")


def _plain_types(schema):
    """Polars' view and large-list types as the plain Arrow types datasets uses."""
    import pyarrow as pa

    def plain(t):
        if t == pa.string_view():
            return pa.string()
        if t == pa.binary_view():
            return pa.binary()
        if pa.types.is_large_list(t) or pa.types.is_list_view(t) or pa.types.is_large_list_view(t):
            return pa.list_(plain(t.value_type))
        if pa.types.is_list(t):
            return pa.list_(plain(t.value_type))
        if pa.types.is_fixed_size_list(t):
            return pa.list_(plain(t.value_type), t.list_size)
        if pa.types.is_struct(t):
            return pa.struct([pa.field(f.name, plain(f.type), f.nullable) for f in t])
        return t

    return pa.schema([pa.field(f.name, plain(f.type), f.nullable) for f in schema], metadata=schema.metadata)


def _arrow_capsule(data, features):
    """(Features, stream capsule) for an object with __arrow_c_stream__."""
    if features is not None:
        target = features.arrow_schema()
        cap = data.__arrow_c_stream__(target.__arrow_c_schema__())
    else:
        cap = data.__arrow_c_stream__()
        try:
            import pyarrow as pa
        except ImportError:
            pa = None
        if pa is None:
            features = Features.from_arrow_schema(_SchemaCapsule(lambda: _hfds.stream_schema(cap)))
        else:
            reader = pa.RecordBatchReader._import_from_c_capsule(cap)
            features = Features.from_arrow_schema(_plain_types(reader.schema))
            cap = reader.__arrow_c_stream__()
        target = features.arrow_schema()
    why = _hfds.stream_matches(cap, target.__arrow_c_schema__())
    if why is None:
        return features, cap
    try:
        import pyarrow as pa
    except ImportError:
        raise _hfds.InvalidArgument(f"the data does not have the features' Arrow types ({why}) and "
                                    "pyarrow, which would cast it, is not installed") from None
    reader = pa.RecordBatchReader._import_from_c_capsule(cap)
    return features, reader.cast(pa.schema(target)).__arrow_c_stream__()


def _json_default(v):
    if isinstance(v, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(v)).decode("ascii")
    if hasattr(v, "tolist"):
        return v.tolist()
    raise TypeError(f"a row value of type {type(v).__name__} cannot be written (use Arrow data)")


def _row_chunks(rows, tmpdir, binary_cols):
    """Writes the rows as JSON Lines files of ROWS_PER_CHUNK rows; yields each path. Adds to
    `binary_cols` the top-level keys that held bytes (base64 in JSON, binary in Arrow)."""
    it = iter(rows)
    n = 0
    while True:
        path = os.path.join(tmpdir, f"rows-{n:06d}.jsonl")
        count = 0
        with open(path, "w", encoding="utf-8") as f:
            for row in it:
                if not isinstance(row, dict):
                    raise TypeError(f"row {n * ROWS_PER_CHUNK + count}: expected a dict, got {type(row).__name__}")
                for k, v in row.items():
                    if isinstance(v, (bytes, bytearray, memoryview)):
                        binary_cols.add(k)
                f.write(json.dumps(row, default=_json_default, ensure_ascii=False))
                f.write("\n")
                count += 1
                if count == ROWS_PER_CHUNK:
                    break
        if count == 0:
            os.unlink(path)
            return
        yield path
        os.unlink(path)
        n += 1
        if count < ROWS_PER_CHUNK:
            return


class Source:
    """One split's data: its features and a way to hand the writer its stream(s)."""

    def __init__(self, data, features):
        self.features = Features(features) if features is not None else None
        if _is_dataset(data):
            if self.features is None:
                self.features = Features(data.features.to_dict())
            if getattr(data, "_indices", None) is not None:
                data = data.flatten_indices()
            data = data.data.table
        self.data = data
        self.rows_mode = not hasattr(data, "__arrow_c_stream__")
        if self.rows_mode and not hasattr(data, "__iter__"):
            raise TypeError(f"cannot write {type(data).__name__}: expected Arrow data (__arrow_c_stream__), "
                            "a datasets.Dataset, or an iterable of dict rows")
        self._first = None

    def prepare(self):
        """Settles the features (inferring them from the data when not given)."""
        if not self.rows_mode:
            self.features, self._first = _arrow_capsule(self.data, self.features)
            return self.features
        self._tmp = tempfile.TemporaryDirectory(prefix="hfds-rows-")
        binary = set()
        self._chunks = _row_chunks(self.data, self._tmp.name, binary)
        self._first = next(self._chunks, None)
        if self.features is None:
            if self._first is None:
                raise ValueError("no rows to infer the features from: pass features=")
            # JSON has no bytes: columns that held bytes are binary, not their base64 text
            inferred = json.loads(_hfds.infer_jsonl(self._first))
            for k in binary & inferred.keys():
                inferred[k] = {"dtype": "binary", "_type": "Value"}
            self.features = Features(inferred)
        return self.features

    def write(self, writer, config, split):
        """Writes every row into (config, split); returns the row count."""
        if not self.rows_mode:
            cap, self._first = self._first, None
            if cap is None:
                _, cap = _arrow_capsule(self.data, self.features)
            return writer.write(config, split, cap)
        total = 0
        try:
            path = self._first
            while path is not None:
                s = _hfds.read_jsonl(path, self.features.to_json())
                total += writer.write(config, split, s.__arrow_c_stream__())
                path = next(self._chunks, None)
        finally:
            self._tmp.cleanup()
        return total
