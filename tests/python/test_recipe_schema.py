"""docs/recipe.schema.json judged by a real validator (jsonschema, issue 14): the schema is a
valid Draft 2020-12 schema (checked against the metaschema), examples/sousa/recipe.yaml and
every recipe the recipe tests build satisfy it (they are written through
recipe_schema.write_recipe), and recipes malformed in each way the schema can see are rejected
by the schema AND by `hfds build`, which names the recipe's line."""
import re
import subprocess
import sys

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from recipe_schema import SCHEMA, SRC, schema_errors


def test_schema_is_valid_draft_2020_12():
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(SCHEMA)
    broken = dict(SCHEMA, properties=dict(SCHEMA["properties"], max_shard_size={"type": "size"}))
    with pytest.raises(SchemaError):
        Draft202012Validator.check_schema(broken)


def test_example_recipe_is_valid():
    assert schema_errors((SRC / "examples" / "sousa" / "recipe.yaml").read_text()) == []


# (edit of the SOUSA recipe, the line hfds names, words of hfds's message)
BAD = {
    "unknown key": (("max_shard_size: 1GB", "max_shard_size: 1GB\nshards: 3"), 29, "unknown key 'shards'"),
    "media type": (("type: binary", "type: video"), 16, "media type"),
    "join without on": (("join: {on: sample_id, how: left}", "join: {how: left}"), 8, "'on'"),
    "join how": (("how: left", "how: outer"), 8, "join how"),
    "sampling rate": (("sampling_rate: 44100", "sampling_rate: fast"), 15, "sampling_rate"),
    "config without name": (("  - {name: midi_only, drop: [audio]}", "  - {drop: [audio]}"), 19, "'name'"),
    "negative seed": (("  by: profile_id", "  by: profile_id\n  seed: -1"), 12, "seed"),
    "default not a boolean": (("default: true", "default: maybe"), 18, "default"),
    "default: yes (YAML 1.1 only)": (("default: true", "default: yes"), 18, "default"),
    "on_missing": (("on_missing: error", "on_missing: skip"), 15, "on_missing"),
}


@pytest.fixture(scope="module")
def fx(tmp_path_factory):
    out = tmp_path_factory.mktemp("fx") / "sousa"
    subprocess.run([sys.executable, str(SRC / "examples" / "sousa" / "make_fixture.py"), str(out)], check=True)
    return out


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_recipe_rejected_by_schema_and_hfds(hfds, fx, case):
    (old, new), line, words = BAD[case]
    text = (fx / "recipe.yaml").read_text()
    assert text.count(old) == 1, old
    bad = text.replace(old, new)
    assert schema_errors(bad), f"the schema accepts: {new}"
    path = fx / f"bad-{re.sub('[^a-z]+', '_', case)}.yaml"
    path.write_text(bad)
    r = hfds("build", path, "--dry-run", check=False)
    assert r.returncode != 0 and f"{path.name}:{line}:" in r.stderr and words in r.stderr, r.stderr
