"""The course layer: importable without renderers, one kinds table, one cloze parser, one coverage map."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from prepexport.course import cloze, kinds
from prepexport.course.coverage import coverage
from prepexport.course.language import direction
from prepexport.course.sections import Section, sections
from prepexport.deck.notetypes import NOTE_TYPES
from prepexport.load import load_file
from prepexport.model import AnkiIds, KnowledgeBase

ROOT = Path(__file__).parents[1]
SOURCES = [ROOT / "source" / "knowledge.yaml", ROOT / "tests" / "fixtures" / "deck" / "course.yaml"]


def test_course_layer_loads_neither_genanki_nor_reportlab() -> None:
    code = (
        "import sys\n"
        "import prepexport.course.cloze, prepexport.course.coverage, prepexport.course.kinds\n"
        "import prepexport.course.schedule, prepexport.course.sections, prepexport.course.tags\n"
        "import prepexport.load, prepexport.build, prepexport.cli\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('genanki', 'reportlab')))\n"
    )
    env = {"PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.strip() == "[]"


def test_every_note_kind_has_a_note_type_and_an_anki_id() -> None:
    assert set(NOTE_TYPES) == set(kinds.KINDS)
    assert {f.name for f in dataclasses.fields(AnkiIds)} == {"deck", *kinds.KINDS}
    assert set(kinds.CARD_KINDS) <= set(kinds.KINDS)


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.parent.name)
def test_coverage_matches_a_plain_scan_of_every_week(source: Path) -> None:
    kb = load_file(source).kb
    covered = coverage(kb)
    ids = [t.id for t in kb.topics] + [f.id for f in kb.formulas] + [d.id for d in kb.drills]
    for item_id in ids:
        assert covered.weeks(item_id) == _scan(kb, item_id)


def _scan(kb: KnowledgeBase, item_id: str) -> dict[str, tuple[int, ...]]:
    """The definition, written out slowly: a week covers what it lists and the formulas of its topics."""
    found = {}
    for roadmap in kb.roadmaps:
        numbers = tuple(
            n
            for n, week in enumerate(roadmap.weeks, 1)
            if item_id in (*week.topics, *week.formulas, *week.drills)
            or any(item_id in kb.topic(t).formulas for t in week.topics)
        )
        if numbers:
            found[roadmap.id] = numbers
    return found


def test_sections_number_topics_per_week() -> None:
    kb = load_file(SOURCES[0]).kb
    plan = kb.roadmaps[0]
    numbered = sections(plan)
    first = plan.weeks[0].topics
    assert numbered[first[0]][0] == Section(1, 1)
    assert numbered[first[-1]][0].label == f"1.{len(first)}"


@pytest.mark.parametrize(
    ("text", "answers", "hints", "numbers"),
    [
        ("The {{c1::query}} meets the {{c2::key::a vector}}.", ["query", "key"], ["", "a vector"], (1, 2)),
        (r"Scale by {{c1::\(\frac{1}{\sqrt{d}}\)}}.", [r"\(\frac{1}{\sqrt{d}}\)"], [""], (1,)),
        (r"\(a = {{c1::x^{2}}}\) here", ["x^{2}"], [""], (1,)),
        ("{{c1::out {{c3::in}} text}} and {{c2::more}}", ["out {{c3::in}} text", "more"], ["", ""], (1, 2, 3)),
        ("{{c1::a {b} c}}", ["a {b} c"], [""], (1,)),
    ],
)
def test_cloze_parser_finds_deletions_with_math_and_braces(
    text: str, answers: list[str], hints: list[str], numbers: tuple[int, ...]
) -> None:
    parsed = cloze.parse(text)
    assert parsed.problems == ()
    assert [d.answer for d in parsed.deletions] == answers
    assert [d.hint for d in parsed.deletions] == hints
    assert parsed.numbers == numbers


@pytest.mark.parametrize(
    ("text", "message", "offset"),
    [
        ("no deletion here", "at least one deletion", None),
        ("a {{c0::b}}", "numbered from c1", 2),
        ("a {{c501::b}}", "past Anki's limit", 2),
        ("a {{c١::b}}", "ASCII digits", 2),
        ("a {{c::b}}", "needs a number", 2),
        ("a {{c1::b {c}} here", "never closed", 2),
        ("a {{c1::b", "never closed", 2),
    ],
)
def test_cloze_problems_point_at_the_deletion(text: str, message: str, offset: int | None) -> None:
    problems = cloze.parse(text).problems
    assert problems and message in problems[0].message
    assert problems[0].offset == offset


@pytest.mark.parametrize(
    ("text", "anki"),
    [
        ("plain {{c1::word}} }} stays", "plain {{c1::word}} }} stays"),
        (r"{{c1::\(x^{2}\)}}", r"{{c1::\(x^{2}\)}}"),
        (r"{{c1::\(\frac{a}{b^{2}}\)}}", r"{{c1::\(\frac{a}{b^{2} }\)}}"),
        ("{{c1::x^{2}}}", "{{c1::x^{2} }}"),
        ("{{c1::a {{c2::b}} c}}", "{{c1::a {{c2::b}} c}}"),
    ],
)
def test_for_anki_separates_braces_that_would_end_a_deletion_early(text: str, anki: str) -> None:
    assert cloze.for_anki(text) == anki
    # Anki ends a deletion at the first `}}`: in the result, that is each deletion's own end.
    first = cloze.parse(anki).deletions[0]
    assert anki.find("}}", first.body) == first.end - 2 or "{{c2::" in anki


def test_blanks_replace_deletions_and_keep_math_answers_as_math() -> None:
    question, answers = cloze.blanks(r"The {{c1::key::a vector}} and \(y = {{c2::w}}x\)")
    assert question == r"The __________ (a vector) and \(y = ?x\)"
    assert answers == ["key", r"\(w\)"]


def test_the_highest_cloze_number_is_the_last_one_anki_gives_its_own_card(tmp_path: Path) -> None:
    from anki.collection import Collection

    col = Collection(str(tmp_path / "collection.anki2"))
    try:
        ords = {}
        for number in (cloze.MAX_NUMBER, cloze.MAX_NUMBER + 1):
            note = col.new_note(col.models.by_name("Cloze"))  # type: ignore[arg-type]
            note["Text"] = f"a {{{{c{number}::b}}}}"
            col.add_note(note, col.decks.id_for_name("Default"))  # type: ignore[arg-type]
            ords[number] = [card.ord for card in note.cards()]
    finally:
        col.close()
    assert ords[cloze.MAX_NUMBER] == [cloze.MAX_NUMBER - 1]
    assert ords[cloze.MAX_NUMBER + 1] == ords[cloze.MAX_NUMBER]  # past the limit, deletions share the last card
    assert cloze.parse(f"a {{{{c{cloze.MAX_NUMBER + 1}::b}}}}").problems


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ar", "rtl"),
        ("he", "rtl"),
        ("fa-IR", "rtl"),
        ("ku-Arab", "rtl"),
        ("ar-Latn", "ltr"),
        ("en", "ltr"),
        ("ja", "ltr"),
    ],
)
def test_a_languages_writing_direction_comes_from_its_script_or_else_its_language(language: str, expected: str) -> None:
    assert direction(language) == expected
