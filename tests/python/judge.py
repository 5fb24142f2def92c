#!/usr/bin/env python3
"""pyarrow and polars as Parquet judges, printing the canonical row format (README.md).

    python judge.py --reader pyarrow|polars [--columns a,b] FILE.parquet
    python judge.py --arrow-schema FILE.parquet SCHEMA.json

`--reader` prints one JSON object per row, the same text `hfds cat` and
`tests/node/judge.mjs --reader` print, so `judge.mjs --compare --readers ...,pyarrow,polars`
compares them with the expected rows like its own readers. pyarrow reads with `pq.read_table`,
polars with its own (Rust) Parquet reader, so they share no decoding code with each other, with
the node judges or with hfds.

As in judge.mjs, the file's Parquet schema decides how a leaf is printed (the float width, the
time unit, UTC or not, the decimal scale), whatever Arrow type a reader widens it to (polars
reads FLOAT16 as Float32 and TIME as nanoseconds; pyarrow restores timestamp[s] from
ARROW:schema although the file stores milliseconds).

`--arrow-schema` checks `pq.read_schema(FILE)` against what pyarrow reads back from a file it
writes itself from the Arrow schema the writer was given, described in SCHEMA.json as C Data
Interface nodes ({"format", "name", "nullable", "metadata", "children"}) and imported through
pyarrow's own C Data Interface parser; exit 0 when equal (field metadata included), 1 with the
first difference otherwise.
"""
import base64
import ctypes
import json
import sys
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

TICKS_PER_SEC = {"s": 1, "ms": 1000, "us": 1000000, "ns": 1000000000}
FRAC_DIGITS = {"s": 0, "ms": 3, "us": 6, "ns": 9}
PQ_UNIT = {"milliseconds": "ms", "microseconds": "us", "nanoseconds": "ns"}


class Num:
    """A JSON number already in its final text."""
    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text


# ---------------------------------------------------------------------------------------------
# Leaf descriptors from the Parquet schema (pyarrow's footer parser).

def leaf_desc(col):
    phys = col.physical_type
    lt = json.loads(col.logical_type.to_json()) if col.logical_type.type != "NONE" else {}
    ltt = lt.get("Type", "")
    ct = col.converted_type
    if phys == "BOOLEAN":
        return ("bool",)
    if phys == "FLOAT":
        return ("float", np.float32)
    if phys == "DOUBLE":
        return ("float", np.float64)
    if phys == "INT96":
        return ("ts", "ns", True)
    if ltt == "Decimal" or ct == "DECIMAL":
        return ("decimal", lt.get("scale", col.scale or 0))
    if phys in ("INT32", "INT64"):
        if ltt == "Date" or ct == "DATE":
            return ("date",)
        if ltt == "Time":
            return ("time", PQ_UNIT[lt["timeUnit"]])
        if ct in ("TIME_MILLIS", "TIME_MICROS"):
            return ("time", "ms" if ct == "TIME_MILLIS" else "us")
        if ltt == "Timestamp":
            return ("ts", PQ_UNIT[lt["timeUnit"]], bool(lt.get("isAdjustedToUTC")))
        if ct in ("TIMESTAMP_MILLIS", "TIMESTAMP_MICROS"):
            return ("ts", "ms" if ct == "TIMESTAMP_MILLIS" else "us", True)
        return ("int",)
    if phys == "FIXED_LEN_BYTE_ARRAY" and ltt == "Float16":
        return ("float", np.float16)
    if ltt in ("String", "Enum", "JSON") or ct in ("UTF8", "ENUM", "JSON"):
        return ("string",)
    return ("binary",)


def leaf_descs(path):
    schema = pq.ParquetFile(path).metadata.schema
    by_top = {}
    for i in range(len(schema)):
        col = schema.column(i)
        by_top.setdefault(col.path.split(".")[0], []).append(leaf_desc(col))
    return by_top


# ---------------------------------------------------------------------------------------------
# Canonical rendering, column at a time. Leaves are consumed depth first, as Parquet orders them.

def js_number(digits, exp10):
    """Number#toString of the value 0.d1d2...dk x 10^exp10 (digits without trailing zeros)."""
    k, n = len(digits), exp10
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * (-n) + digits
    e = n - 1
    mant = digits[0] + ("." + digits[1:] if k > 1 else "")
    return f"{mant}e{'+' if e >= 0 else '-'}{abs(e)}"


def fmt_float(v, width):
    if v is None:
        return None
    v = float(v)
    if v != v:
        return "NaN"
    if v in (float("inf"), float("-inf")):
        return "Infinity" if v > 0 else "-Infinity"
    if v == 0:
        return Num("-0" if np.signbit(v) else "0")
    # shortest decimal that rounds back at the file's width
    sign, dg, exp = Decimal(np.format_float_scientific(width(v), unique=True)).as_tuple()
    digits = "".join(map(str, dg)).rstrip("0") or "0"
    exp += len(dg) - len(digits)
    text = js_number(digits, exp + len(digits))
    return Num(("-" if sign else "") + text)


def civil_date(days):
    return str(np.datetime64(days, "D")) if -719162 <= days <= 2932896 else _civil_slow(days)


def _civil_slow(days):
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    y = yoe + era * 400 + (1 if m <= 2 else 0)
    ys = f"-{-y:04d}" if y < 0 else f"{y:04d}"
    return f"{ys}-{m:02d}-{d:02d}"


def time_of_day(ticks, unit):
    per = TICKS_PER_SEC[unit]
    secs, frac = divmod(ticks, per)
    s = f"{secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}"
    return s + (f".{frac:0{FRAC_DIGITS[unit]}d}" if FRAC_DIGITS[unit] else "")


def convert_ticks(ticks, src, dst):
    a, b = TICKS_PER_SEC[src], TICKS_PER_SEC[dst]
    return ticks if a == b else ticks * (b // a) if a < b else ticks // (a // b)


def fmt_decimal(d, scale):
    sign, dg, exp = d.as_tuple()
    unscaled = int("".join(map(str, dg)) or "0")
    shift = exp + scale
    unscaled = unscaled * 10 ** shift if shift >= 0 else unscaled // 10 ** (-shift)
    digits = str(unscaled)
    if scale > 0:
        digits = digits.rjust(scale + 1, "0")
        digits = digits[:-scale] + "." + digits[-scale:]
    return ("-" if sign and unscaled else "") + digits


def ticks_of(arr):
    """Integer ticks and unit of a temporal Arrow array."""
    t = arr.type
    unit = t.unit
    storage = pa.int64() if pa.types.is_timestamp(t) or pa.types.is_time64(t) or pa.types.is_duration(t) else pa.int32()
    return arr.view(storage).to_pylist() if arr.offset == 0 else arr.cast(storage).to_pylist(), unit


def render(arr, leaves):
    """Renders every slot of Arrow array `arr`; pops its leaf descriptors from `leaves`."""
    t = arr.type
    if isinstance(t, pa.ExtensionType):
        return render(arr.storage, leaves)
    if pa.types.is_dictionary(t):
        return render(arr.dictionary_decode(), leaves)
    valid = arr.is_valid().to_pylist()
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_map(t):
        offs = arr.offsets.to_pylist()
        if pa.types.is_map(t):
            entries = arr.values  # like offsets, not sliced
            kv = list(zip(render(entries.field(0), leaves), render(entries.field(1), leaves)))
            child = [{"key": k, "value": v} for k, v in kv]
        else:
            child = render(arr.values, leaves)
        return [child[offs[i]:offs[i + 1]] if ok else None for i, ok in enumerate(valid)]
    if pa.types.is_fixed_size_list(t):
        n = t.list_size
        child = render(arr.values, leaves)
        base = arr.offset * n
        return [child[base + i * n:base + (i + 1) * n] if ok else None for i, ok in enumerate(valid)]
    if pa.types.is_struct(t):
        cols = [(t.field(k).name, render(arr.field(k) if arr.offset == 0 else arr.flatten()[k], leaves))
                for k in range(t.num_fields)]
        return [{name: vals[i] for name, vals in cols} if ok else None for i, ok in enumerate(valid)]
    desc = leaves.pop(0)
    if pa.types.is_null(t):
        return [None] * len(arr)
    kind = desc[0]
    if kind in ("date", "time", "ts"):
        if pa.types.is_date64(t):
            ticks, unit = [None if v is None else v // 86400000 for v in arr.cast(pa.int64()).to_pylist()], None
        elif pa.types.is_date32(t):
            ticks, unit = arr.cast(pa.int32()).to_pylist(), None
        else:
            ticks, unit = ticks_of(arr)
        out = []
        for v, ok in zip(ticks, valid):
            if not ok:
                out.append(None)
            elif kind == "date":
                out.append(civil_date(v))
            elif kind == "time":
                out.append(time_of_day(convert_ticks(v, unit, desc[1]), desc[1]))
            else:
                x = convert_ticks(v, unit, desc[1])
                per_day = 86400 * TICKS_PER_SEC[desc[1]]
                days, rest = divmod(x, per_day)
                out.append(f"{civil_date(days)}T{time_of_day(rest, desc[1])}{'Z' if desc[2] else ''}")
        return out
    vals = arr.to_pylist()
    if kind == "float":
        return [fmt_float(v, desc[1]) for v in vals]
    if kind == "int":
        return [None if v is None else Num(str(int(v))) for v in vals]
    if kind == "bool":
        return vals
    if kind == "decimal":
        return [None if v is None else fmt_decimal(v, desc[1]) for v in vals]
    if kind == "string":
        return [None if v is None else v if isinstance(v, str) else v.decode("utf-8") for v in vals]
    return [None if v is None else base64.b64encode(v if isinstance(v, bytes) else v.encode()).decode() for v in vals]


def to_json(v):
    if v is None:
        return "null"
    if isinstance(v, Num):
        return v.text
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(map(to_json, v)) + "]"
    return "{" + ", ".join(json.dumps(k, ensure_ascii=False) + ": " + to_json(x) for k, x in v.items()) + "}"


def read_table(reader, path, columns):
    if reader == "pyarrow":
        return pq.read_table(path, columns=columns, use_threads=False)
    if reader == "polars":
        import polars as pl
        return pl.read_parquet(path, columns=columns).to_arrow()
    raise SystemExit(f"judge.py: unknown reader '{reader}' (expected pyarrow|polars)")


def read_rows(reader, path, columns=None):
    """Rows of FILE as read by `reader`, canonical JSON text, one string per row."""
    table = read_table(reader, path, columns)
    descs = leaf_descs(path)
    names = table.column_names
    cols = []
    for name in names:
        chunked = table.column(name)
        arr = chunked.combine_chunks() if chunked.num_chunks != 1 else chunked.chunk(0)
        leaves = list(descs[name])
        cols.append(render(arr, leaves))
        if leaves:
            raise SystemExit(f"{reader}: {path}: column {name}: {len(leaves)} Parquet leaves not matched")
    return ["{" + ", ".join(json.dumps(n, ensure_ascii=False) + ": " + to_json(c[r])
                            for n, c in zip(names, cols)) + "}" for r in range(table.num_rows)]


# ---------------------------------------------------------------------------------------------
# --arrow-schema: the expected schema through pyarrow's C Data Interface import.

class _CSchema(ctypes.Structure):
    pass


_RELEASE = ctypes.CFUNCTYPE(None, ctypes.POINTER(_CSchema))
_CSchema._fields_ = [
    ("format", ctypes.c_char_p), ("name", ctypes.c_char_p), ("metadata", ctypes.c_char_p),
    ("flags", ctypes.c_int64), ("n_children", ctypes.c_int64),
    ("children", ctypes.POINTER(ctypes.POINTER(_CSchema))), ("dictionary", ctypes.c_void_p),
    ("release", _RELEASE), ("private_data", ctypes.c_void_p),
]


@_RELEASE
def _release(s):
    s.contents.release = _RELEASE()


def _metadata_bytes(md):
    if not md:
        return None
    out = len(md).to_bytes(4, "little")
    for k, v in md.items():
        for x in (k.encode(), v.encode()):
            out += len(x).to_bytes(4, "little") + x
    return out


def _c_schema(node, keep):
    s = _CSchema()
    s.format = node["format"].encode()
    s.name = node.get("name", "").encode()
    md = _metadata_bytes(node.get("metadata"))
    if md:
        buf = ctypes.create_string_buffer(md, len(md))
        keep.append(buf)
        s.metadata = ctypes.cast(buf, ctypes.c_char_p)
    s.flags = 2 if node.get("nullable", True) else 0
    kids = [_c_schema(c, keep) for c in node.get("children", [])]
    s.n_children = len(kids)
    arr = (ctypes.POINTER(_CSchema) * max(1, len(kids)))(*[ctypes.pointer(k) for k in kids])
    keep.extend(kids)
    keep.append(arr)
    s.children = arr
    s.release = _release
    keep.append(s)
    return s


def expected_schema(desc):
    """pyarrow Schema from a C Data Interface description (see the module docstring)."""
    keep = []
    root = _c_schema(desc, keep)
    return pa.Schema._import_from_c(ctypes.addressof(root))


def pyarrow_round_trip(schema):
    """What pq.read_schema gives for a file pyarrow itself writes from `schema` (pyarrow, too,
    reads timestamp[s] back as timestamp[ms]: Parquet has no seconds)."""
    sink = pa.BufferOutputStream()
    pq.write_table(schema.empty_table(), sink)
    return pq.read_schema(pa.BufferReader(sink.getvalue()))


def schema_diff(got, want):
    """None when the fields are equal (types, nullability, names, field metadata)."""
    if got.names != want.names:
        return f"columns {got.names} != {want.names}"
    for g, w in zip(got, want):
        if not g.equals(w, check_metadata=True):
            return f"column {g.name}: read {g.type} (nullable {g.nullable}, metadata {g.metadata}), " \
                   f"pyarrow's own file gives {w.type} (nullable {w.nullable}, metadata {w.metadata})"
    return None


def arrow_schema_check(path, desc_path):
    with open(desc_path, encoding="utf-8") as f:
        given = expected_schema(json.load(f))
    d = schema_diff(pq.read_schema(path), pyarrow_round_trip(given))
    if d:
        print(f"{path}: pq.read_schema: {d}", file=sys.stderr)
        return 1
    return 0


def main(argv):
    args, opts, i = [], {}, 0
    while i < len(argv):
        a = argv[i]
        if a in ("--reader", "--columns"):
            if i + 1 >= len(argv):
                return usage()
            opts[a[2:]] = argv[i + 1]
            i += 2
            continue
        if a == "--arrow-schema":
            opts["arrow-schema"] = True
        elif a.startswith("--"):
            return usage()
        else:
            args.append(a)
        i += 1
    if opts.get("arrow-schema"):
        return arrow_schema_check(*args) if len(args) == 2 else usage()
    if len(args) != 1 or "reader" not in opts:
        return usage()
    columns = opts["columns"].split(",") if "columns" in opts else None
    out = sys.stdout
    for line in read_rows(opts["reader"], args[0], columns):
        out.write(line + "\n")
    return 0


def usage():
    print("usage: judge.py --reader pyarrow|polars [--columns a,b] FILE\n"
          "       judge.py --arrow-schema FILE SCHEMA.json", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
