"""hfds.Features: datasets' Features as the JSON of ``Features.to_dict()``.

The C library parses and prints that JSON (``hfds/features.h``), so a Features object is just
its canonical JSON text: equal features have equal text, and the text is byte-identical to
what datasets stores in the Parquet ``huggingface`` key.
"""
import json

from . import _hfds


class _SchemaCapsule:
    """An object with ``__arrow_c_schema__`` (pyarrow.schema(x), polars, ... take it)."""

    def __init__(self, make):
        self._make = make

    def __arrow_c_schema__(self):
        return self._make()


class Features:
    """Column name -> feature, as datasets' ``Features`` (Value, ClassLabel, List, Array2D,
    Audio, Image, ...).

    ``Features(x)`` accepts the dict of ``datasets.Features.to_dict()``, a ``datasets.Features``
    (anything with ``to_dict()``), a JSON string of that dict, or another ``Features``.
    Invalid features raise ``hfds.errors.ParseError`` naming the JSON path.
    """

    __slots__ = ("_json",)

    def __init__(self, features):
        if isinstance(features, Features):
            self._json = features._json
            return
        if hasattr(features, "to_dict"):  # datasets.Features (a dict of feature objects)
            features = features.to_dict()
        text = features if isinstance(features, str) else json.dumps(features)
        self._json = _hfds.features_normalize(text)

    @classmethod
    def from_dict(cls, d):
        """From the dict form of ``datasets.Features.to_dict()``."""
        return cls(d)

    @classmethod
    def from_json(cls, text):
        """From the JSON text of that dict."""
        return cls(text)

    @classmethod
    def from_arrow_schema(cls, schema):
        """The features datasets' ``Features.from_arrow_schema`` finds for an Arrow schema (any
        object with ``__arrow_c_schema__``: its ``huggingface`` metadata first, else inferred)."""
        obj = cls.__new__(cls)
        obj._json = _hfds.features_from_schema(schema.__arrow_c_schema__())
        return obj

    def to_dict(self):
        """The ``Features.to_dict()`` dict (``datasets.Features.from_dict`` takes it)."""
        return json.loads(self._json)

    def to_json(self):
        """Canonical JSON, byte-identical to ``json.dumps(Features.to_dict())`` in datasets."""
        return self._json

    def to_datasets(self):
        """A ``datasets.Features`` (needs the datasets package)."""
        import datasets
        return datasets.Features.from_dict(self.to_dict())

    def arrow_schema(self):
        """The Arrow storage schema (an object with ``__arrow_c_schema__``), with the
        ``huggingface`` metadata so readers find the features again."""
        text = self._json
        return _SchemaCapsule(lambda: _hfds.features_schema(text))

    def __eq__(self, other):
        if not isinstance(other, Features):
            try:
                other = Features(other)
            except Exception:
                return NotImplemented
        return self._json == other._json

    def __hash__(self):
        return hash(self._json)

    def __iter__(self):
        return iter(self.to_dict())

    def __len__(self):
        return len(self.to_dict())

    def __getitem__(self, name):
        return self.to_dict()[name]

    def keys(self):
        return self.to_dict().keys()

    def __repr__(self):
        return f"Features({self._json})"
