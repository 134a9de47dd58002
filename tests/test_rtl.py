"""The workbook of a right-to-left course (tests/fixtures/rtl): lines in visual order, Arabic letters joined,
paragraphs, bullets, checkboxes and tables on the right, pages mirrored (binding edge on the right)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from prepexport.load import load_file
from prepexport.workbook import build_workbook

FIXTURES = Path(__file__).parent / "fixtures" / "rtl"

Chunk = tuple[float, float, str]  # x, y of the line it starts on, text


def _build(name: str, out: Path) -> Path:
    kb = load_file(FIXTURES / f"{name}.yaml").kb
    path = out / f"{name}.pdf"
    report = build_workbook(kb, kb.roadmaps[0], path, paper="a4", start=None)
    assert not report.missing_glyphs or name == "hebrew"  # DejaVu Sans Mono lacks Hebrew: the Anki search only
    return path


@pytest.fixture(scope="module")
def hebrew(tmp_path_factory: pytest.TempPathFactory) -> PdfReader:
    return PdfReader(_build("hebrew", tmp_path_factory.mktemp("he")))


@pytest.fixture(scope="module")
def arabic(tmp_path_factory: pytest.TempPathFactory) -> PdfReader:
    return PdfReader(_build("arabic", tmp_path_factory.mktemp("ar")))


def _chunks(reader: PdfReader, page: int) -> list[Chunk]:
    """Return the page's text pieces in the order they are drawn: left to right along each line."""
    found: list[Chunk] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            found.append((round(cm[4] + tm[4] * cm[0], 1), round(cm[5] + tm[5] * cm[3], 1), text.strip()))

    reader.pages[page - 1].extract_text(visitor_text=visit)
    return found


def _page_with(reader: PdfReader, text: str) -> int:
    """Return the first page (from 4 on: after the cover and the front matter) whose text holds `text`."""
    for number in range(4, len(reader.pages) + 1):
        if text in _text(reader, number):
            return number
    raise AssertionError(f"no page holds {text!r}")


def _text(reader: PdfReader, page: int) -> str:
    return unicodedata.normalize("NFKC", reader.pages[page - 1].extract_text())


def _line(chunks: list[Chunk], holding: str) -> list[str]:
    """Return the pieces drawn on the line that holds a piece containing `holding`, left to right."""
    y = next(y for _, y, text in chunks if holding in text)
    return [text for _, cy, text in chunks if cy == y]


def test_hebrew_lines_read_right_to_left_in_logical_order(hebrew: PdfReader) -> None:
    # pypdf reads a right-to-left run drawn in visual order back in logical order: typing order comes back.
    page = _page_with(hebrew, "מעדכנת את המשקלים")
    text = _text(hebrew, page)
    assert "מה קורה כשהצעד גדול מדי?" in text  # the question mark ends the sentence, on its left
    chunks = _chunks(hebrew, page)
    # The section number starts the heading, so it is drawn last: rightmost.
    assert _line(chunks, "1.1")[-1] == "1.1"
    # A key point that starts with a Latin word: the Latin word is rightmost, the citation and the full stop
    # that end the sentence are leftmost.
    adam = [text for text in _line(chunks, "Adam") if text != "•"]
    assert adam[-1] == "Adam" and "Kingma, 2014" in adam[1] and "." in adam[0]
    # Code, with its brackets, reads left to right inside the line.
    assert "optimizer.step()" in _line(chunks, "optimizer")


def test_hebrew_paragraphs_bullets_and_boxes_stand_on_the_right(hebrew: PdfReader) -> None:
    page = _page_with(hebrew, "מעדכנת את המשקלים")
    chunks = _chunks(hebrew, page)
    bullets = [(x, y) for x, y, text in chunks if text == "•"]
    assert bullets
    for x, y in bullets:  # each bullet right of where its line starts
        assert all(x > cx for cx, cy, text in chunks if cy == y and text != "•")
    # A ragged left edge: the lines of the summary start at different places, all ending at the right edge.
    summary = [x for x, _, text in chunks if "מעדכנת" in text or "דוגמאות" in text]
    assert len(summary) == 2 and summary[1] - summary[0] > 100


def test_hebrew_pages_bind_on_the_right(hebrew: PdfReader) -> None:
    width = float(hebrew.pages[0].mediabox.width)
    for page in (6, 7):  # the page number stands on the outer edge: left on odd pages, right on even ones
        folio = next(x for x, y, text in _chunks(hebrew, page) if y < 60 and "17" in text)
        assert (folio < width / 2) == (page % 2 == 1)
    # The week's routine grid reads right to left: day 1 is the rightmost column.
    page = _page_with(hebrew, "Routine")
    header = _line(_chunks(hebrew, page), "Routine")
    days = [text for text in header if text.isdigit()]
    assert days == ["7", "6", "5", "4", "3", "2", "1"] and header[-1] == "Routine"


def test_arabic_letters_are_joined_and_lines_read_right_to_left(arabic: PdfReader) -> None:
    page = _page_with(arabic, "نستدعي")
    raw = arabic.pages[page - 1].extract_text()
    assert any("\ufe70" <= c <= "\ufeff" for c in raw)  # joined (presentation) forms, not isolated letters
    assert "ماذا يحدث إذا" in _text(arabic, page)
    assert _line(_chunks(arabic, page), "1.1")[-1] == "1.1"
    drill = _page_with(arabic, "السبب")
    assert "ما السبب الأرجح؟" in _text(arabic, drill)  # the Arabic question mark ends the sentence


def test_a_right_to_left_workbook_builds_the_same_bytes_twice(tmp_path: Path) -> None:
    first = _build("arabic", tmp_path)
    data = first.read_bytes()
    assert _build("arabic", tmp_path).read_bytes() == data
