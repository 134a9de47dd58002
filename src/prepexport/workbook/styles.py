"""Page geometry, colours and paragraph styles of the workbook."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import TableStyle

from prepexport.workbook import fonts

Paper = Literal["a4", "letter"]
PAPERS: dict[str, tuple[float, float]] = {"a4": A4, "letter": LETTER}
PAPER_NAMES: dict[str, str] = {"a4": "A4", "letter": "US Letter"}

MARGIN_X = 20 * mm  # the inner (binding) margin, and both margins of full-width pages
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 20 * mm
#: The text column of reading pages: about 70 characters of body text a line. The rest of the page width
#: is a wide outer margin the learner writes notes in.
TEXT_WIDTH = 130 * mm
#: The widest a line of prose may run, also on full-width pages: about 76 characters of body text.
PROSE_MEASURE = TEXT_WIDTH + 12 * mm
NOTE_GAP = 6 * mm  # between the text column and the notes margin
COLUMN_GAP = 8 * mm  # between the columns of two-column pages

#: Page templates: reading pages (text column and notes margin), full-width pages, two columns.
BODY, WIDE, COLUMNS = "body", "wide", "columns"

INK = HexColor("#1b1f24")
ACCENT = HexColor("#1f4e79")
ACCENT_LIGHT = HexColor("#e9eff6")
SHADE = HexColor("#f3f4f6")
RULE = HexColor("#a9b2bd")
FAINT_RULE = HexColor("#c9d0d8")
MUTED = HexColor("#5b6673")

#: The type scale: every size the workbook prints text in (running heads, small, text, headings, titles).
SIZES = (7.5, 8.5, 10.0, 12.0, 16.0, 26.0)
FOOT_SIZE, SMALL_SIZE, BODY_SIZE, HEAD_SIZE, CHAPTER_SIZE, TITLE_SIZE = SIZES
LEADING = 14.0
MATH_SIZE = 12.0  # display formulas read best a little larger than the text around them


@dataclass(frozen=True)
class Styles:
    """Every paragraph style the workbook uses."""

    body: ParagraphStyle
    small: ParagraphStyle
    muted: ParagraphStyle
    cell: ParagraphStyle
    cell_head: ParagraphStyle
    label: ParagraphStyle
    label_plain: ParagraphStyle
    chapter: ParagraphStyle
    section: ParagraphStyle
    topic: ParagraphStyle
    item: ParagraphStyle
    cover_title: ParagraphStyle
    cover_subtitle: ParagraphStyle
    cover_text: ParagraphStyle
    cover_plan: ParagraphStyle
    contents_title: ParagraphStyle
    hanging: ParagraphStyle
    hanging_muted: ParagraphStyle
    toc: tuple[ParagraphStyle, ...]
    toc_page: ParagraphStyle
    index_entry: ParagraphStyle


def _style(name: str, **kw: object) -> ParagraphStyle:
    base: dict[str, object] = {
        "fontName": fonts.TEXT,
        "fontSize": BODY_SIZE,
        "leading": LEADING,
        "textColor": INK,
        "alignment": TA_LEFT,
    }
    base.update(kw)
    return ParagraphStyle(name, **base)


def make_styles() -> Styles:
    """Build the paragraph styles."""
    heading: dict[str, object] = {"fontName": fonts.SANS_BOLD, "textColor": ACCENT, "keepWithNext": 1}
    return Styles(
        body=_style("body", spaceAfter=4),
        small=_style("small", fontSize=SMALL_SIZE, leading=11),
        muted=_style("muted", fontSize=SMALL_SIZE, leading=11.5, textColor=MUTED),
        cell=_style("cell", fontSize=SMALL_SIZE, leading=11.5),
        cell_head=_style("cell_head", fontSize=SMALL_SIZE, leading=11, fontName=fonts.SANS_BOLD, textColor=ACCENT),
        label=_style(
            "label",
            fontName=fonts.SANS_BOLD,
            fontSize=SMALL_SIZE,
            leading=12,
            textColor=ACCENT,
            spaceBefore=7,
            spaceAfter=2,
            keepWithNext=1,
        ),
        label_plain=_style("label_plain", spaceBefore=8, spaceAfter=1, keepWithNext=1),
        chapter=_style("chapter", fontSize=CHAPTER_SIZE, leading=21, spaceAfter=6, **heading),
        section=_style("section", fontSize=HEAD_SIZE, leading=16, spaceBefore=12, spaceAfter=5, **heading),
        topic=_style("topic", fontSize=HEAD_SIZE, leading=15, spaceBefore=4, spaceAfter=3, **heading),
        item=_style("item", fontSize=BODY_SIZE, leading=13.5, spaceBefore=8, spaceAfter=3, **heading),
        cover_title=_style("cover_title", fontName=fonts.SANS_BOLD, fontSize=TITLE_SIZE, leading=32, textColor=ACCENT),
        cover_subtitle=_style("cover_subtitle", fontSize=HEAD_SIZE, leading=17, textColor=MUTED, spaceBefore=8),
        cover_text=_style("cover_text", fontSize=BODY_SIZE, leading=15),
        cover_plan=_style(
            "cover_plan", fontName=fonts.SANS_BOLD, fontSize=CHAPTER_SIZE, leading=21, textColor=ACCENT, spaceAfter=4
        ),
        contents_title=_style("contents_title", fontSize=CHAPTER_SIZE, leading=21, spaceAfter=8, **heading),
        hanging=_style("hanging", leftIndent=30, firstLineIndent=-30, spaceAfter=3),
        hanging_muted=_style(
            "hanging_muted", fontSize=SMALL_SIZE, leading=11.5, textColor=MUTED, leftIndent=30, spaceAfter=2
        ),
        toc=(
            _style("toc0", fontName=fonts.SANS_BOLD, fontSize=BODY_SIZE, leading=12.5, spaceBefore=3, leftIndent=0),
            _style("toc1", fontSize=SMALL_SIZE, leading=10.5, leftIndent=14, firstLineIndent=0, spaceAfter=1),
        ),
        index_entry=_style("index_entry", fontSize=SMALL_SIZE, leading=11, leftIndent=10, firstLineIndent=-10),
        toc_page=_style("toc_page", fontName=fonts.SANS_BOLD, leading=13, alignment=TA_RIGHT),
    )


def centred(style: ParagraphStyle) -> ParagraphStyle:
    """Return a centred copy of the style."""
    return ParagraphStyle(f"{style.name}-c", parent=style, alignment=TA_CENTER)


def loose(style: ParagraphStyle) -> ParagraphStyle:
    """Return a copy that does not insist on staying with the next flowable (for space that fills a page)."""
    return ParagraphStyle(f"{style.name}-loose", parent=style, keepWithNext=0)


def tall(style: ParagraphStyle) -> ParagraphStyle:
    """Return a copy whose lines grow to fit inline drawings (formulas drawn as images)."""
    return ParagraphStyle(f"{style.name}-tall", parent=style, autoLeading="max")


def measured(style: ParagraphStyle, width: float) -> ParagraphStyle:
    """Return a copy whose lines stay within the prose measure in a column `width` wide (prose on wide pages);
    smaller type gets a proportionally narrower measure, so a line holds as many characters."""
    extra = width - PROSE_MEASURE * style.fontSize / BODY_SIZE
    if extra <= 1:
        return style
    return ParagraphStyle(f"{style.name}-m{extra:.0f}", parent=style, rightIndent=style.rightIndent + extra)


def table_style(*commands: tuple[object, ...]) -> TableStyle:
    """Return a table style in the workbook font (reportlab otherwise selects Helvetica, unembedded)."""
    return TableStyle([("FONT", (0, 0), (-1, -1), fonts.TEXT, BODY_SIZE), *commands])


def header_table_style(*commands: tuple[object, ...]) -> TableStyle:
    """Return a table style with the workbook's header band: a tinted first row ruled off from the body."""
    return table_style(
        ("BACKGROUND", (0, 0), (-1, 0), ACCENT_LIGHT), ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT), *commands
    )


#: A faint rule under every body row of a table with a header band.
ROW_RULES = ("LINEBELOW", (0, 1), (-1, -1), 0.4, FAINT_RULE)
