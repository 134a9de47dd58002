"""What every part of the story needs: the model, styles, text rendering, page references, and the keys
that link questions to answers."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph

from prepexport.model import KnowledgeBase, Labels, Roadmap
from prepexport.workbook import formulas
from prepexport.workbook.flowables import Heading, Ledger, page_ref, ref_paragraph
from prepexport.workbook.styles import (
    COLUMN_GAP,
    COLUMNS,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    PAPERS,
    TEXT_WIDTH,
    WIDE,
    Paper,
    Styles,
    make_styles,
    measured,
    tall,
)
from prepexport.workbook.text import TextRenderer


@dataclass
class Context:
    """The plan being rendered and the tools to render it."""

    kb: KnowledgeBase
    roadmap: Roadmap
    start: datetime.date | None
    paper: Paper = "a4"
    ledger: Ledger = field(default_factory=Ledger)
    styles: Styles = field(default_factory=make_styles)
    text: TextRenderer = field(default_factory=TextRenderer)
    frame_width: float = TEXT_WIDTH  # the column being filled; chapters set it with their page template

    @property
    def wide_width(self) -> float:
        """Return the width of a full-width page's column in points."""
        return float(PAPERS[self.paper][0] - 2 * MARGIN_X)

    def use(self, template: str) -> str:
        """Set the column width to the page template's and return the template name."""
        self.frame_width = (
            self.wide_width if template == WIDE else (self.wide_width - COLUMN_GAP) / 2 if template == COLUMNS
            else TEXT_WIDTH
        )  # fmt: skip
        return template

    @property
    def frame_height(self) -> float:
        """Return the height of the text column in points."""
        return float(PAPERS[self.paper][1] - MARGIN_TOP - MARGIN_BOTTOM)

    @property
    def labels(self) -> Labels:
        """Return the course's fixed words."""
        return self.kb.labels

    def word(self, template: str, **values: str) -> str:
        """Return a label as paragraph markup: its own text escaped, then its placeholders filled with markup."""
        return self.text.plain(template).format(**values)

    def page(self, key: str) -> str:
        """Return a clickable page number pointing at a key, worded by the course's `page` label."""
        before, _, after = self.labels.page.partition("{number}")
        return page_ref(key, self.text.plain(before).replace(" ", "\u00a0"), self.text.plain(after))

    def para(self, markup: str, style: ParagraphStyle) -> Paragraph:
        """Return a paragraph of rendered markup, resolving page references and making room for drawings."""
        return ref_paragraph(markup, tall(style) if formulas.is_inline(markup) else style, self.ledger)

    def prose(self, style: ParagraphStyle | None = None) -> ParagraphStyle:
        """Return the style (body text by default) with lines kept within the prose measure of this column."""
        return measured(style or self.styles.body, self.frame_width)

    def heading(
        self,
        title: str,
        style: ParagraphStyle,
        *,
        key: str,
        level: int,
        contents: bool = True,
        running: str | None = None,
        prefix: str = "",
        listed: bool = False,
    ) -> Heading:
        """Return a heading from plain text, optionally with a number or label before it."""
        shown = self.text.plain(title)
        if prefix:
            shown = f'<font color="#5b6673">{self.text.plain(prefix)}</font>\u2002{shown}'
        outline = f"{prefix} {title}".strip()
        found = Heading(shown, style, key=key, level=level, title=outline, contents=contents, running=running)
        found.listed = listed
        found.label = prefix
        found.plain_title = title
        return found

    def blocks(self, markup: str, style: ParagraphStyle | None = None) -> list[Flowable]:
        """Render a markup field as flowables."""
        return self.text.blocks(markup, style or self.styles.body)

    def line(self, markup: str, size: float | None = None) -> str:
        """Render a markup field as one run of paragraph markup."""
        return self.text.line(markup, size or self.styles.body.fontSize)


def week_key(number: int, part: str = "") -> str:
    """Return the link key of a week or one of its sections."""
    return f"week-{number:02d}" + (f"-{part}" if part else "")


def topic_key(week: int, topic_id: str) -> str:
    """Return the link key of a topic in a week."""
    return f"w{week:02d}-topic-{topic_id}"


def formula_key(week: int, formula_id: str) -> str:
    """Return the link key of a formula as shown in a week."""
    return f"w{week:02d}-formula-{formula_id}"


def question_key(week: int, topic_id: str, index: int) -> str:
    """Return the link key of a self-check question."""
    return f"w{week:02d}-q-{topic_id}-{index}"


def answer_key(week: int, topic_id: str, index: int) -> str:
    """Return the link key of a self-check answer."""
    return f"w{week:02d}-a-{topic_id}-{index}"


def drill_key(week: int, drill_id: str) -> str:
    """Return the link key of a drill exercise."""
    return f"w{week:02d}-drill-{drill_id}"


def drill_answer_key(week: int, drill_id: str) -> str:
    """Return the link key of a drill's answer."""
    return f"w{week:02d}-drill-{drill_id}-answer"


def reference_key(reference_id: str) -> str:
    """Return the link key of a reference."""
    return f"ref-{reference_id}"


def question_label(week: int, topic: int, index: int) -> str:
    """Return the printed number of a self-check question, e.g. 2.3b."""
    return f"{week}.{topic}{chr(ord('a') + index)}"
