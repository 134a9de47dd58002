"""The loader: every invalid fixture fails with exactly its expected messages; valid sources load."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest

from prepexport.errors import SourceError
from prepexport.load import SHIPPED_IDS, load_bytes, load_file
from prepexport.model import BasicCard, ClozeCard, ReversibleCard

FIXTURES = Path(__file__).parent / "fixtures"
INVALID = sorted((FIXTURES / "invalid").glob("*.yaml"))
EXAMPLE = Path(__file__).parents[1] / "docs" / "example.yaml"


@pytest.mark.parametrize("source", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_source_reports_every_expected_error(source: Path) -> None:
    expected = source.with_suffix(".expected").read_text(encoding="utf-8").replace("FILE", str(source)).splitlines()
    with pytest.raises(SourceError) as caught:
        load_file(source)
    assert [str(p) for p in caught.value.problems] == expected


def test_every_invalid_fixture_has_its_expected_messages() -> None:
    assert INVALID, "no fixtures found"
    for source in INVALID:
        assert source.with_suffix(".expected").is_file(), f"{source.name} has no .expected file"


def test_missing_file_is_reported_without_traceback(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        load_file(tmp_path / "nope.yaml")
    assert [str(p) for p in caught.value.problems] == [f"{tmp_path / 'nope.yaml'}: file not found"]


def test_alias_bomb_fails_fast() -> None:
    started = time.perf_counter()
    with pytest.raises(SourceError):
        load_file(FIXTURES / "invalid" / "alias-bomb.yaml")
    assert time.perf_counter() - started < 5


def test_example_loads_with_every_kind() -> None:
    loaded = load_file(EXAMPLE)
    kb = loaded.kb
    assert loaded.warnings == []
    kinds = {type(card) for topic in kb.topics for card in topic.cards}
    assert kinds == {BasicCard, ReversibleCard, ClozeCard}
    assert kb.formulas and kb.drills and kb.misconceptions and kb.frameworks and kb.roadmaps and kb.references
    assert kb.root == EXAMPLE.resolve().parent
    assert kb.drill("drill-stale-date").right.key == "context"


def test_a_copy_of_a_shipped_course_that_keeps_its_anki_ids_is_warned(tmp_path: Path) -> None:
    copy = EXAMPLE.read_text(encoding="utf-8").replace("id: attention-mini", "id: my-course", 1)
    warnings = load_bytes(copy.encode(), "x.yaml", root=EXAMPLE.parent).warnings
    assert [str(w) for w in warnings] == [
        "x.yaml:11:5: warning: meta.anki: uses the Anki ids of docs/example.yaml (course 'attention-mini'): a new "
        "course needs its own deck and note-type ids, or its notes overwrite that course's in learners' "
        "collections and its stamps are refused; pick new ones (see 'Starting a new course' in docs/format.md)"
    ]
    own = copy.replace("deck: 1900000000001", "deck: 1900000777001")
    for n in range(101, 107):
        own = own.replace(f": 1900000000{n}", f": 1900000777{n}")
    assert load_bytes(own.encode(), "x.yaml", root=EXAMPLE.parent).warnings == []


@pytest.mark.parametrize("path", [EXAMPLE, Path(__file__).parents[1] / "source" / "knowledge.yaml"])
def test_the_shipped_ids_the_warning_knows_are_the_shipped_courses(path: Path) -> None:
    kb = load_file(path).kb
    assert set(dataclasses.astuple(kb.meta.anki)) == SHIPPED_IDS[kb.meta.id][1]


def test_anki_ids_take_every_value_up_to_two_to_the_63_minus_one(tmp_path: Path) -> None:
    highest = EXAMPLE.read_text(encoding="utf-8").replace("deck: 1900000000001", "deck: 9223372036854775807")
    assert load_bytes(highest.encode(), "x.yaml", root=EXAMPLE.parent).kb.meta.anki.deck == (1 << 63) - 1
    over = highest.replace("deck: 9223372036854775807", "deck: 9223372036854775808")
    with pytest.raises(SourceError) as caught:
        load_bytes(over.encode(), "x.yaml", root=EXAMPLE.parent)
    assert [str(p) for p in caught.value.problems] == [
        "x.yaml:11:11: meta.anki.deck: must be between 1073741824 and 9223372036854775807, not 9223372036854775808"
    ]


@pytest.mark.parametrize("tag", ["en", "de-CH", "zh-Hant-TW", "sr-Latn", "es-419", "de-CH-1901", "en-US-x-twain"])
def test_a_bcp_47_language_tag_is_accepted(tag: str) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace("  anki:\n", f"  language: {tag}\n  anki:\n", 1)
    assert load_bytes(text.encode(), "x.yaml", root=EXAMPLE.parent).kb.meta.language == tag


def test_text_that_looks_like_other_types_stays_text(tmp_path: Path) -> None:
    source = EXAMPLE.read_text(encoding="utf-8").replace("title: Attention in One Week", "title: 2026")
    source = source.replace("term: Query", "term: yes")
    kb = load_bytes(source.encode(), "x.yaml", root=tmp_path).kb
    assert kb.meta.title == "2026"
    assert any(isinstance(c, ReversibleCard) and c.term == "yes" for c in kb.topics[0].cards)


def test_uncovered_items_are_warnings_with_positions(tmp_path: Path) -> None:
    source = EXAMPLE.read_text(encoding="utf-8").replace("        drills: [drill-stale-date]\n", "")
    loaded = load_bytes(source.encode(), "x.yaml", root=tmp_path)
    assert [str(w) for w in loaded.warnings] == [
        "x.yaml:72:5: warning: drills[0]: drill 'drill-stale-date' is in no week of roadmap 'one-week'"
    ]


def test_media_inside_the_source_folder_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "heat.png").write_bytes((FIXTURES / "deck" / "img" / "query.png").read_bytes())
    source = EXAMPLE.read_text(encoding="utf-8").replace(
        "        answer: So the dot products", "        image: img/heat.png\n        answer: So the dot products"
    )
    kb = load_bytes(source.encode(), "x.yaml", root=tmp_path).kb
    card = kb.topics[0].cards[0]
    assert isinstance(card, BasicCard) and card.image == "img/heat.png"


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + EXAMPLE.read_bytes()
    assert load_bytes(data, "x.yaml", root=tmp_path).kb.meta.id == "attention-mini"


@pytest.mark.parametrize(
    ("tag", "warned"),
    [("he", False), ("ar", False), ("ku-Arab", False), ("syr", True), ("ar-Syrc", True), ("de", False)],
)
def test_only_a_script_the_workbook_cannot_join_is_warned(tag: str, warned: bool) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace("  anki:\n", f"  language: {tag}\n  anki:\n", 1)
    warnings = [str(w) for w in load_bytes(text.encode(), "x.yaml", root=EXAMPLE.parent).warnings]
    expected = f"x.yaml:10:13: warning: meta.language: '{tag}' is written in a script whose letters join"
    assert any(w.startswith(expected) and "workbook" in w for w in warnings) == warned
    assert not any("meta.language" in w for w in warnings if not w.startswith(expected))
