"""docs/recipe.schema.json through a real JSON Schema validator (jsonschema, Draft 2020-12) for
the recipe tests: every recipe a test builds is written with write_recipe, which checks it
against the schema first, so the schema and the parser (src/recipe/recipe_parse.c) cannot
drift apart unnoticed. YAML is read as YAML 1.2 reads it (as libyaml gives hfds the scalars,
and as editors' YAML language servers do): only true/false are booleans, so `join: {on: id}`
has the key "on", not PyYAML's YAML 1.1 boolean True."""
import json
import os
import pathlib
import re

import yaml
from jsonschema import Draft202012Validator

SRC = pathlib.Path(os.environ.get("HFDS_SRC", pathlib.Path(__file__).resolve().parents[2]))
SCHEMA = json.loads((SRC / "docs" / "recipe.schema.json").read_text())
VALIDATOR = Draft202012Validator(SCHEMA)


class Yaml12Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2's booleans (no yes/no/on/off)."""


Yaml12Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                   list("tTfF"))


def schema_errors(text):
    """The schema's complaints about a recipe's text, as 'path: message' strings."""
    return ["/".join(map(str, e.absolute_path)) + ": " + e.message
            for e in VALIDATOR.iter_errors(yaml.load(text, Loader=Yaml12Loader))]


def write_recipe(path, text):
    """Writes a recipe the schema accepts (the semantic errors some tests want, such as an
    unknown column, are the parser's to find, not the schema's)."""
    errors = schema_errors(text)
    assert not errors, f"the schema rejects this recipe: {errors}\n{text}"
    pathlib.Path(path).write_text(text)
    return path
