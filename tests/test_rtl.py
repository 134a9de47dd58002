"""The workbook of a right-to-left course (tests/fixtures/rtl): lines in visual order, Arabic letters joined,
paragraphs, bullets, checkboxes and tables on the right, pages mirrored (binding edge on the right)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from prepexport import markup
from prepexport.load import load_file
from prepexport.workbook import build_workbook, fonts, formulas, rtl
from prepexport.workbook.text import TextRenderer

FIXTURES = Path(__file__).parent / "fixtures" / "rtl"

Chunk = tuple[float, float, str]  # x, y of the line it starts on, text


def _build(name: str, out: Path) -> Path:
    kb = load_file(FIXTURES / f"{name}.yaml").kb
    path = out / f"{name}.pdf"
    report = build_workbook(kb, kb.roadmaps[0], path, paper="a4", start=None)
    # DejaVu Sans Mono lacks Hebrew: the Anki search only
    assert not report.missing_glyphs or name in ("hebrew", "mixed")
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


def _drawn(path: Path, page: int) -> list[tuple[float, list[str]]]:
    """Return each line of a page (top down) as the strings drawn on it from left to right, as the eye sees
    them: glyphs decoded through each font's ToUnicode map, no bidi applied by the reader. (Strings drawn one
    after another from one text position keep their drawing order.)"""
    with pikepdf.open(path) as pdf:
        pdf_page = pdf.pages[page - 1]
        maps = {str(name): _unicode_map(font) for name, font in pdf_page.Resources.get("/Font", {}).items()}
        found: list[tuple[float, float, int, str]] = []
        font, leading, x, y = "", 0.0, 0.0, 0.0
        origin, stack = (0.0, 0.0), []
        for instruction in pikepdf.parse_content_stream(pdf_page):
            if not isinstance(instruction, pikepdf.ContentStreamInstruction):
                continue
            operands, op = instruction.operands, str(instruction.operator)
            if op == "q":
                stack.append(origin)
            elif op == "Q":
                origin = stack.pop()
            elif op == "cm":
                origin = (origin[0] + float(operands[4]), origin[1] + float(operands[5]))
            elif op == "BT":
                x = y = 0.0
            elif op == "Tf":
                font = str(operands[0])
            elif op == "TL":
                leading = float(operands[0])
            elif op == "Tm":
                x, y = float(operands[4]), float(operands[5])
            elif op == "Td":
                x, y = x + float(operands[0]), y + float(operands[1])
            elif op == "T*":
                y -= leading
            elif op in ("Tj", "TJ"):
                items = operands[0] if op == "TJ" else [operands[0]]
                codes = b"".join(bytes(item) for item in items if isinstance(item, pikepdf.String))
                text = "".join(maps[font].get(code, "?") for code in codes)
                if text.strip():
                    found.append((round(origin[1] + y, 1), round(origin[0] + x, 1), len(found), text))
        lines: dict[float, list[str]] = {}
        for line_y, _, _, text in sorted(found, key=lambda item: (item[1], item[2])):
            lines.setdefault(line_y, []).append(text)
    return sorted(lines.items(), reverse=True)


def _unicode_map(font: pikepdf.Object) -> dict[int, str]:
    """Return a simple font's code -> text map from its ToUnicode CMap (reportlab writes bfrange and bfchar)."""
    found: dict[int, str] = {}
    data = font.ToUnicode.read_bytes().decode("latin-1") if "/ToUnicode" in font else ""
    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for code, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            found[int(code, 16)] = bytes.fromhex(text).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for first, last, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            for code in range(int(first, 16), int(last, 16) + 1):
                found[code] = chr(int(text, 16) + code - int(first, 16))
    return found


def _drawn_line(path: Path, page: int, holding: str) -> list[str]:
    """Return the strings drawn on the line holding `holding` (visual order, glyphs as drawn)."""
    return next(parts for _, parts in _drawn(path, page) if any(holding in part for part in parts))


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build("mixed", tmp_path_factory.mktemp("mixed"))


def test_arabic_letters_join_across_a_change_of_style(tmp_path: Path) -> None:
    # "ال**تعلم**": the article in the text face, the word in bold. The lam joins the teh as in "التعلم".
    path = _build("arabic", tmp_path)
    page = _page_with(PdfReader(path), "يحتاج")
    line = _drawn_line(path, page, rtl.shape("يحتاج")[::-1])
    assert "\ufedf\ufe8d" in [part.strip() for part in line]  # lam initial (joins on), alef: not lam isolated
    assert any(part.endswith("\ufe98") for part in line)  # teh medial (joined on both sides), not initial


def test_numbered_markers_read_right_to_left(mixed: Path) -> None:
    page = _page_with(PdfReader(mixed), "שביעי")
    # As in any right-to-left paragraph, the full stop after the number stands on its left.
    assert _drawn_line(mixed, page, _visual("לאסוף"))[-1] == ".1"
    assert _drawn_line(mixed, page, _visual("אחד עשר"))[-1] == ".11"


def test_a_full_stop_after_inline_math_ends_a_right_to_left_sentence_on_the_left() -> None:
    # The punctuation is typeset with the formula (no line starts with it): on the formula's left when the
    # sentence reads right to left, on its right when it reads left to right.
    fonts.register()

    def drawn(text: str) -> str:
        paragraph = markup.parse(text)[0]
        assert isinstance(paragraph, markup.Paragraph)
        with rtl.right_to_left(True):
            label = TextRenderer().spans(paragraph.spans).split("src=")[1].split('"')[1]
        return formulas._INLINE[label.removeprefix(formulas._MARKER)][0]

    assert drawn("הערך הוא \\(x^2\\).") == "\\text{.}x^2"
    assert drawn("בסוגריים (\\(x\\)), אז") == "\\text{,(}x"
    assert drawn("The value is \\(x^2\\).") == "x^2\\text{.}"
    assert drawn("בעברית: the value \\(x^2\\), then more") == "x^2\\text{,}"


def test_a_line_after_a_break_takes_its_own_direction(mixed: Path) -> None:
    # The week page's Anki hint: an English line, then a search naming the Hebrew deck (a line break apart).
    # The English line keeps its colon at its end, on the right.
    page = _page_with(PdfReader(mixed), "Create Filtered Deck")
    line = _drawn_line(mixed, page, "Create Filtered Deck")
    assert "".join(line).endswith("Deck):")


def _visual(word: str) -> str:
    """Return a Hebrew word as drawn (letters reversed)."""
    return word[::-1]
