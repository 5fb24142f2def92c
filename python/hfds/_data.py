"""Input data -> (Features, Arrow stream capsule) for the writer.

Anything with ``__arrow_c_stream__`` (pyarrow, polars, pandas >= 2.2, DuckDB relations, an
hfds.Stream) is asked for the features' storage schema (``requested_schema``); producers that
honour it (pyarrow, pandas, DuckDB) cast themselves. If the stream still differs (polars
exports string_view and large_list) and pyarrow is installed, pyarrow casts it batch by batch;
without pyarrow the difference is reported. A ``datasets.Dataset`` gives its Arrow table and its
features. Any other iterable is taken as dict rows: chunks of ROWS_PER_CHUNK rows are converted
to Arrow in C (``_hfds.rows_batch``, along the features' storage schema); only the features,
when not given, are inferred here, from the first chunk, as pyarrow infers them for datasets.
"""
import datetime
import decimal
import itertools

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


def _value(dtype):
    return {"dtype": dtype, "_type": "Value"}


def _tz_name(tz, v):
    """pyarrow's name of a tzinfo: the zone key (zoneinfo, pytz), "UTC", else "+HH:MM"."""
    for attr in ("key", "zone"):
        name = getattr(tz, attr, None)
        if isinstance(name, str):
            return name
    off = tz.utcoffset(v)
    if off == datetime.timedelta(0) and tz.tzname(v) in ("UTC", "UTC+00:00", None):
        return "UTC"
    minutes = int(off.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


_SCALARS = {bool: "bool", int: "int64", float: "float64", str: "string", bytes: "binary", bytearray: "binary",
            memoryview: "binary", datetime.date: "date32", datetime.time: "time64[us]",
            decimal.Decimal: "decimal128(38, 18)"}


def _scalar(t, values):
    """The feature of a column whose non-null values are all of type t (not a container)."""
    if issubclass(t, datetime.datetime):
        v = next(x for x in values if x is not None)
        return _value("timestamp[us]" if v.tzinfo is None else f"timestamp[us, tz={_tz_name(v.tzinfo, v)}]")
    for base, dtype in _SCALARS.items():
        if issubclass(t, base):
            return _value(dtype)
    if hasattr(t, "dtype"):  # numpy scalar types
        v = next(x for x in values if x is not None)
        if getattr(v, "ndim", 1) == 0:
            return _value(str(v.dtype))
    raise TypeError(f"a row value of type {t.__name__} has no Arrow type (use Arrow data or features=)")


def _infer(values):
    """The feature (dict form) pyarrow's inference gives a column of Python values, None when
    they are all None. Types are collected per column (set(map(type, ...)) runs in C); only
    lists and dicts are looked into. Mixed ints and floats give float64; otherwise mixed types
    keep the first one seen, and the conversion then names the row whose value does not fit."""
    types = dict.fromkeys(map(type, values))
    types.pop(type(None), None)
    if not types:
        return None
    seq = [t for t in types if issubclass(t, (list, tuple)) or (hasattr(t, "tolist") and hasattr(t, "ndim"))]
    if seq:
        items = []
        for v in values:
            if v is not None and type(v) in seq:
                items.extend(v.tolist() if hasattr(v, "tolist") else v)
        return {"feature": _infer(items) or _value("null"), "_type": "List"}
    if any(issubclass(t, dict) for t in types):
        dicts = [v for v in values if isinstance(v, dict)]
        keys = dict.fromkeys(k for d in dicts for k in d)
        return {k: _infer([d.get(k) for d in dicts]) or _value("null") for k in keys}
    if set(types) <= {int, float}:
        return _value("float64" if float in types else "int64")
    return _scalar(next(iter(types)), values)


def _infer_rows(rows):
    """Features of dict rows as datasets' Dataset.from_list finds them: the first row's keys,
    each column's type inferred over all the given rows (all None: Value("null"))."""
    return {k: _infer([r.get(k) for r in rows]) or _value("null") for k in rows[0]}


def _row_chunks(rows):
    """Lists of at most ROWS_PER_CHUNK rows."""
    it = iter(rows)
    while True:
        chunk = list(itertools.islice(it, ROWS_PER_CHUNK))
        if not chunk:
            return
        yield chunk
        if len(chunk) < ROWS_PER_CHUNK:
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
        self._chunks = _row_chunks(self.data)
        self._first = next(self._chunks, None)
        for i, row in enumerate(self._first or ()):
            if not isinstance(row, dict):
                raise TypeError(f"row {i}: expected a dict, got {type(row).__name__}")
        if self.features is None:
            if not self._first:
                raise ValueError("no rows to infer the features from: pass features=")
            self.features = Features(_infer_rows(self._first))
        return self.features

    def write(self, writer, config, split):
        """Writes every row into (config, split); returns the row count."""
        if not self.rows_mode:
            cap, self._first = self._first, None
            if cap is None:
                _, cap = _arrow_capsule(self.data, self.features)
            return writer.write(config, split, cap)
        schema = self.features.arrow_schema().__arrow_c_schema__()
        total = 0
        chunk, self._first = self._first, None
        while chunk:
            total += writer.write(config, split, _hfds.rows_batch(chunk, schema, total))
            chunk = next(self._chunks, None)
        return total
