"""The JSON Schema: generated from the model, checked in beside the source, named by the source."""

from __future__ import annotations

import json
from pathlib import Path

from prepexport.schema import json_schema, schema_text

ROOT = Path(__file__).parents[1]


def test_checked_in_schema_matches_the_model() -> None:
    checked_in = (ROOT / "source" / "knowledge.schema.json").read_text(encoding="utf-8")
    assert checked_in == schema_text(), "run `prepexport schema > source/knowledge.schema.json`"


def test_sources_name_the_schema_for_editors() -> None:
    assert (
        (ROOT / "source" / "knowledge.yaml")
        .read_text(encoding="utf-8")
        .startswith("# yaml-language-server: $schema=knowledge.schema.json\n")
    )
    assert (
        (ROOT / "docs" / "example.yaml")
        .read_text(encoding="utf-8")
        .startswith("# yaml-language-server: $schema=../source/knowledge.schema.json\n")
    )


def test_schema_forbids_unknown_keys_and_knows_card_kinds() -> None:
    schema = json_schema()
    defs = schema["$defs"]
    assert schema["additionalProperties"] is False
    assert all(d["additionalProperties"] is False for d in defs.values())
    assert defs["Topic"]["required"] == ["id", "title", "tier", "area", "summary"]
    assert defs["Topic"]["properties"]["tier"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 99,
        "description": "1 to the number of labels.tiers (by default 1 core to 3 advanced)",
    }
    cards = defs["Topic"]["properties"]["cards"]["items"]["oneOf"]
    assert [c["required"] for c in cards] == [["question"], ["term"], ["cloze"]]
    assert json.loads(schema_text()) == schema
