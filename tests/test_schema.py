"""The shipped schema, and the fast validator agreeing with jsonschema on real dashboards."""

from __future__ import annotations

import json

import pytest
from jsonschema import validators

from conftest import CORPUS, REPO
from dashgen.validate import dashboard_schema, is_valid


def _corpus_files():
    return sorted((CORPUS / "dashboards").rglob("*.json")) if CORPUS.is_dir() else []


def test_schema_is_a_valid_draft_7_schema_with_its_one_patch():
    schema = dashboard_schema()
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    validators.Draft7Validator.check_schema(schema)
    definitions = schema["definitions"]
    assert "definition" in definitions["VariableModel"]["properties"]
    assert "value" in definitions["Threshold"]["required"]  # as published: dashgen writes the base step's value
    patched = [path for path, _ in _comments(schema) if "dashgen" in _]
    assert patched == ["definitions.VariableModel.properties.definition"]
    assert definitions["Panel"]["additionalProperties"] is False


def _comments(node, path=""):
    """(path, $comment) of every comment in the schema."""
    if isinstance(node, dict):
        if "$comment" in node:
            yield path, node["$comment"]
        for key, value in node.items():
            yield from _comments(value, f"{path}.{key}" if path else key)


def _agreement(files) -> dict:
    reference = validators.Draft7Validator(dashboard_schema())
    return {f.name: (is_valid(d := json.loads(f.read_text())), reference.is_valid(d)) for f in files}


def test_fast_validator_agrees_with_jsonschema_on_our_output_and_broken_copies():
    files = sorted((REPO / "generated" / "dashboards").rglob("*.json"))
    verdicts = _agreement(files)
    assert verdicts and all(v == (True, True) for v in verdicts.values())
    reference = validators.Draft7Validator(dashboard_schema())
    broken = json.loads(files[0].read_text())
    broken["panels"][1]["timeShift"] = 5
    broken["templating"]["list"][0]["current"] = {}
    assert (is_valid(broken), reference.is_valid(broken)) == (False, False)


@pytest.mark.skipif(not _corpus_files(), reason=f"no corpus at {CORPUS} (set DASHGEN_CORPUS)")
def test_fast_validator_agrees_with_jsonschema_on_the_corpus():
    verdicts = _agreement(_corpus_files())
    assert {name: v for name, v in verdicts.items() if v[0] != v[1]} == {}
    assert sum(fast for fast, _ in verdicts.values()) >= 1  # some pass, most real exports do not
