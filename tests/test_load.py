"""The loader: every invalid fixture fails with exactly its expected messages; valid sources load."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from prepexport.errors import SourceError
from prepexport.load import load_bytes, load_file
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
