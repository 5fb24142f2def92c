"""Dict rows converted to Arrow in C (issue 13, item 4): plain iterables of dicts with ints,
floats, bools, str, bytes, None, lists, dicts, dates and datetimes (naive and aware) are
written without JSON. Judged by datasets: the features hfds infers equal what
``datasets.Dataset.from_list`` infers for the same rows, and ``datasets.load_dataset`` of the
written folder gives back the very values (dates as dates, aware datetimes at the same
instant), also when the features are given and differ from the values' own types."""
import datetime as dt
import zoneinfo

import datasets
import pyarrow.parquet as pq
import pytest

import hfds

UTC = dt.timezone.utc
PLUS2 = dt.timezone(dt.timedelta(hours=2))
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def sample_rows(n):
    rows = []
    for i in range(n):
        rows.append({
            "id": i,
            "day": dt.date(1969, 12, 25) + dt.timedelta(days=i),
            "naive": dt.datetime(1960, 1, 1, 0, 0, 0, 1) + dt.timedelta(hours=i * 7, microseconds=i * 13),
            "utc": dt.datetime(2021, 3, 4, 5, 6, 7, 890123, tzinfo=UTC) + dt.timedelta(minutes=i),
            "plus2": None if i % 3 == 0 else dt.datetime(2000, 1, 1, 1, 0, i % 60, tzinfo=PLUS2),
            "paris": dt.datetime(2024, 6, 15, 1, 30, tzinfo=PARIS) + dt.timedelta(hours=i % 5),
            "score": i / 8 if i % 2 else i,  # ints and floats: float64, as pyarrow infers
            "flag": i % 3 == 1,
            "name": None if i % 7 == 0 else f"ро {i} \u2603",
            "blob": bytes([i % 256]) * (i % 5),
            "tags": [f"t{j}" for j in range(i % 4)],
            "when": [dt.date(2000, 1, 1 + i % 28), None],
            "meta": {"k": i - 50, "at": dt.datetime(2010, 1, 1, tzinfo=UTC) + dt.timedelta(seconds=i)},
            "nothing": None,
        })
    return rows


def test_inferred_features_and_values_equal_datasets(tmp_path):
    rows = sample_rows(300)
    info = hfds.write_dataset(iter(rows), tmp_path / "out")
    assert info["splits"]["train"]["num_examples"] == len(rows)
    expected = datasets.Dataset.from_list(rows)
    back = datasets.load_dataset(str(tmp_path / "out"), split="train")
    assert back.features == expected.features
    assert back.features["day"] == datasets.Value("date32")
    assert back.features["naive"] == datasets.Value("timestamp[us]")
    assert back.features["utc"] == datasets.Value("timestamp[us, tz=UTC]")
    assert back.features["paris"] == datasets.Value("timestamp[us, tz=Europe/Paris]")
    assert back.features["plus2"] == datasets.Value("timestamp[us, tz=+02:00]")
    got = back.to_list()
    assert got == expected.to_list()
    for mine, theirs in zip(rows, got):
        assert theirs["day"] == mine["day"] and type(theirs["day"]) is dt.date
        assert theirs["naive"] == mine["naive"] and theirs["naive"].tzinfo is None
        assert theirs["utc"] == mine["utc"] and theirs["paris"] == mine["paris"]
        assert theirs["plus2"] == mine["plus2"]
        assert theirs["meta"]["at"] == mine["meta"]["at"]
        assert theirs["blob"] == mine["blob"] and theirs["when"] == mine["when"]


def test_given_features_convert_values(tmp_path):
    feats = datasets.Features({
        "label": datasets.ClassLabel(names=["no", "yes"]),
        "x": datasets.Value("float32"),
        "small": datasets.Value("int8"),
        "ms": datasets.Value("timestamp[ms]"),
        "s": datasets.Value("timestamp[s, tz=UTC]"),
        "ns": datasets.Value("timestamp[ns]"),
        "d": datasets.Value("date32"),
        "xs": datasets.List(datasets.Value("int16"), length=2),
    })
    rows = [{"label": i % 2, "x": i, "small": -i, "ms": dt.datetime(1950, 5, 5, 5, 5, 5, 5000 * i),
             "s": dt.datetime(2030, 1, 1, 12, tzinfo=PLUS2), "ns": dt.datetime(2262, 1, 1, 0, 0, 0, i),
             "d": dt.datetime(1999, 12, 31, 23, 59), "xs": (i, i + 1)} for i in range(100)]
    hfds.write_dataset(rows, tmp_path / "out", features=feats)
    back = datasets.load_dataset(str(tmp_path / "out"), split="train")
    assert back.features == feats
    expected = datasets.Dataset.from_list(rows, features=feats)
    assert back.to_list() == expected.to_list()
    assert back[3]["s"] == dt.datetime(2030, 1, 1, 10, tzinfo=UTC)
    raw = pq.read_table(next((tmp_path / "out" / "data").glob("train-*.parquet")))
    assert raw.column("s")[3].as_py() == dt.datetime(2030, 1, 1, 10, tzinfo=UTC)
    assert back[3]["d"] == dt.date(1999, 12, 31)


def test_bad_values_name_row_and_column(tmp_path):
    rows = [{"a": 1, "m": {"t": dt.date(2000, 1, 1)}} for _ in range(10)]
    rows.append({"a": 2, "m": {"t": "2000-01-01"}})
    with pytest.raises(TypeError, match=r"row 10, column 'm.t': expected a datetime.date, got str"):
        hfds.write_dataset(rows, tmp_path / "out")
    with pytest.raises(hfds.errors.InvalidArgument, match=r"row 1, column 'v'.*out of range"):
        hfds.write_dataset([{"v": 1}, {"v": 300}], tmp_path / "o2", features={"v": {"dtype": "int8", "_type": "Value"}})
    with pytest.raises(TypeError, match="row 1: expected a dict, got int"):
        hfds.write_dataset([{"v": 1}, 5], tmp_path / "o3")
    with pytest.raises(TypeError, match=r"row 0, column 'v': expected an int that fits 64 bits"):
        hfds.write_dataset([{"v": -2**70}], tmp_path / "o5")
    big = hfds.write_dataset([{"v": 2**64 - 1}, {"v": 0}], tmp_path / "o6",
                             features={"v": {"dtype": "uint64", "_type": "Value"}})
    assert big["splits"]["train"]["num_examples"] == 2
    assert pq.read_table(next((tmp_path / "o6" / "data").glob("*.parquet"))).column("v").to_pylist() == [2**64 - 1, 0]
    with pytest.raises(hfds.errors.Unsupported, match="time64"):
        hfds.write_dataset([{"t": dt.time(1, 2)}], tmp_path / "o4")


def test_many_chunks_stream_in_order(tmp_path):
    def gen():
        for i in range(150_000):
            yield {"i": i, "d": dt.date(2000, 1, 1) + dt.timedelta(days=i % 1000)}
    hfds.write_dataset(gen(), tmp_path / "out", max_shard_size="200KB")
    files = sorted((tmp_path / "out" / "data").glob("train-*.parquet"))
    assert len(files) > 1
    ids = [v for f in files for v in pq.read_table(f, columns=["i"]).column("i").to_pylist()]
    assert ids == list(range(150_000))
