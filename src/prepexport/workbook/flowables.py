"""Flowables the workbook needs beyond reportlab's: headings that index themselves, page references,
fillable checkboxes and ruled writing space."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reportlab.lib.colors import white
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.acroform import annotationFlagValues, bsPDF, fieldFlagValues, makeFlags
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFString
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, Table
from reportlab.platypus.paragraph import cleanBlockQuotedText, textTransformFrags
from reportlab.platypus.paraparser import ParaParser

from prepexport.workbook import rtl
from prepexport.workbook.styles import ACCENT, FAINT_RULE, INK, RULE

DOT_PITCH = 5 * mm

_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use marks around a key whose page number goes there

#: The page printed for a forward reference in the first pass, before its target is laid out. Three digits:
#: a guess too narrow makes lines that grow once the real numbers come, and pages move in the next pass.
PLACEHOLDER = "000"


@dataclass
class Ledger:
    """Page numbers learned in one build pass and used in the next, until a pass changes nothing."""

    known: dict[str, int] = field(default_factory=dict)
    seen: dict[str, int] = field(default_factory=dict)
    pages: int = 0  # page count of the last finished pass
    counting: int = 0
    version: int = 0
    stable: bool = False
    drawing: bool = False  # whether this pass draws; the first pass only measures

    def record(self, key: str, page: int) -> None:
        """Note the page a key was drawn on in this pass (the first time counts)."""
        self.seen.setdefault(key, page)

    def page(self, key: str) -> str:
        """Return the page of a key as of the last pass, else as seen earlier in this pass, else a placeholder."""
        page = self.known.get(key) or self.seen.get(key)
        return str(page) if page else PLACEHOLDER

    def guessed(self, key: str) -> bool:
        """Tell whether the last pass did not see the key (in the first pass, none), so its page may change."""
        return key not in self.known

    def finish_pass(self) -> None:
        """Adopt what this pass saw; the ledger is stable once a drawing pass confirms the previous one.

        Only the last pass's drawing is kept. The first pass cannot be the last (it knows no page numbers), so
        it only measures; every later pass draws, as the second nearly always settles: references back to pages
        already laid out (the answer key's and the index's) get their real numbers during the first pass.
        """
        settled = self.seen == self.known and self.counting == self.pages
        self.stable = settled and self.drawing
        self.drawing = True
        if not settled:
            self.version += 1
        self.known, self.seen = self.seen, {}
        self.pages, self.counting = self.counting, 0


def page_ref(key: str, before: str = "p.\u00a0", after: str = "") -> str:
    """Return markup for a clickable "p. N" that points at a key (for RefParagraph)."""
    return f'<a href="#{key}" color="#1f4e79">{before}{_OPEN}{key}{_CLOSE}{after}</a>'


def page_number(key: str, *, muted: bool = False) -> str:
    """Return markup for a clickable bare page number that points at a key (for RefParagraph)."""
    color = "#5b6673" if muted else "#1f4e79"
    return f'<a href="#{key}" color="{color}">{_OPEN}{key}{_CLOSE}</a>'


def anchor(key: str) -> str:
    """Return markup that makes a link target at this spot and records its page."""
    return f'<onDraw name="anchor" label="{key}"/>'


class RefParagraph(Paragraph):  # type: ignore[misc]
    """A paragraph whose page references are filled in from the ledger before each layout."""

    def __init__(self, template: str | None, style: ParagraphStyle, ledger: Ledger | None = None, **kw: Any) -> None:
        self._ledger = ledger
        if ledger is None or template is None:
            # Paragraph.split makes the two halves through the class with resolved fragments: plain paragraphs.
            super().__init__(template, style, **kw)
            return
        self._template = template
        self._keys = [part.split(_CLOSE, 1)[0] for part in template.split(_OPEN)[1:]]
        self._version = ledger.version
        self._resolved = self._fill(template)
        self._plain: Paragraph | None = None
        self._parsed: tuple[ParagraphStyle, list[Any], Any] | None = None
        self.style, self.caseSensitive = style, kw.get("caseSensitive", 1)
        style, frags, bullet = self._fragments()  # the template is parsed once, here; not its filled-in text too
        super().__init__(self._resolved, style, bulletText=bullet, frags=frags)
        self.text = cleanBlockQuotedText(self._resolved)

    def _refresh(self) -> None:
        ledger = self._ledger
        if ledger is None:
            return
        # In the first pass a target laid out meanwhile gives its page at once: a reference back is exact.
        if self._version != ledger.version or any(ledger.guessed(key) for key in self._keys):
            self._version = ledger.version
            resolved = self._fill(self._template)
            if resolved != self._resolved:  # laid out again only when one of its page numbers moved
                self._resolved = resolved
                self._plain = None
                style, frags, bullet = self._fragments()
                Paragraph.__init__(self, resolved, style, bulletText=bullet, frags=frags)
                self.text = cleanBlockQuotedText(resolved)

    def _fragments(self) -> tuple[ParagraphStyle, list[Any], Any]:
        """Return the template's fragments with the ledger's page numbers (the markup is parsed only once)."""
        if self._parsed is None:
            parser = ParaParser()
            parser.caseSensitive = self.caseSensitive
            style, frags, bullet = parser.parse(cleanBlockQuotedText(self._template), self.style)
            if frags is None:
                raise ValueError(f"the paragraph markup does not parse: {self._template[:60]!r}")
            textTransformFrags(frags, style)
            self._parsed = (style, frags, bullet or getattr(self.style, "bulletText", None))
        style, parsed, bullet = self._parsed
        frags = []
        for frag in parsed:
            text = getattr(frag, "text", None)
            # Fresh fragments each time, as a parse gives: layout may change them.
            if isinstance(text, str) and _OPEN in text:
                frags.append(frag.clone(text=self._fill(text)))
            else:
                frags.append(frag.clone())
        return style, frags, bullet

    def _fill(self, text: str) -> str:
        """Put the ledger's page numbers where the text marks them."""
        parts = text.split(_OPEN)
        out = [parts[0]]
        for part in parts[1:]:
            key, rest = part.split(_CLOSE, 1)
            out.append((self._ledger.page(key) if self._ledger else "") + rest)
        return "".join(out)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self._refresh()
        return super().wrap(availWidth, availHeight)  # type: ignore[no-any-return]

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        # Paragraph.split builds its pieces through self.__class__ with its own arguments: split a plain
        # paragraph of the resolved text instead (each layout pass splits the original again).
        self._refresh()
        if self._plain is None:
            self._plain = Paragraph(self._resolved, self.style)
        pieces: list[Flowable] = self._plain.split(availWidth, availHeight)
        return pieces


def ref_paragraph(text: str, style: ParagraphStyle, ledger: Ledger) -> Paragraph:
    """Return a RefParagraph if the text holds page references, else a plain Paragraph."""
    return RefParagraph(text, style, ledger) if _OPEN in text else Paragraph(text, style)


class Heading(Paragraph):  # type: ignore[misc]
    """A heading that becomes a bookmark, a link target and, at levels 0-1, a contents line."""

    def __init__(
        self,
        text: str,
        style: ParagraphStyle,
        *,
        key: str,
        level: int,
        title: str,
        contents: bool = True,
        running: str | None = None,
    ) -> None:
        super().__init__(text, style)
        self.key = key
        self.level = level
        self.title = title  # plain text for the outline and the contents
        self.contents = contents
        self.listed = False  # a topic listed under its week in the contents and in the index
        self.label = ""  # its printed number, e.g. 2.3
        self.plain_title = title
        self.running = running  # the running header from this page on, for chapter headings

    def draw(self) -> None:
        super().draw()
        self.canv.bookmarkHorizontal(self.key, 0, self.height + 4)


class Indexer(Flowable):  # type: ignore[misc]
    """An invisible flowable that tells multiBuild whether page references have settled."""

    def __init__(self, ledger: Ledger) -> None:
        super().__init__()
        self.ledger = ledger

    def isIndexing(self) -> int:
        return 1

    def isSatisfied(self) -> bool:
        return self.ledger.stable

    def beforeBuild(self) -> None:
        self.ledger.stable = False

    def notify(self, kind: str, stuff: object) -> None:
        pass  # multiBuild tells every indexing flowable about every event; this one listens to none

    def afterBuild(self) -> None:
        self.ledger.finish_pass()

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        pass


#: Printed checkboxes are at least 4 mm square: big enough to tick with a pen.
BOX_SIZE = 12.0


class CheckBox(Flowable):  # type: ignore[misc]
    """A box that prints and can be ticked in a PDF viewer (an AcroForm checkbox)."""

    def __init__(self, name: str, size: float = BOX_SIZE, tooltip: str = "") -> None:
        super().__init__()
        self.name = name
        self.size = size
        self.tooltip = tooltip or name

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        checkbox(self.canv, self.name, self.tooltip, self.size)


def checkbox(canv: Canvas, name: str, tooltip: str, size: float) -> None:
    """Add a fillable checkbox at the origin, sharing one appearance set with every box of its size.

    reportlab's acroForm.checkbox builds six appearance streams per box (then finds most already written);
    with hundreds of boxes that is a large share of a build. The field itself is the same.
    """
    form = canv.acroForm
    shared: dict[float, PDFDictionary] = form.__dict__.setdefault("_prepexport_appearances", {})
    if size not in shared:
        appearances = {}
        for key in "NDR":
            text, border, fill = form.varyColors(key, INK, ACCENT, white)
            states = {}
            for value in ("Yes", "Off"):
                stream = form.checkboxAP(
                    key, value, buttonStyle="check", shape="square", fillColor=fill, borderColor=border,
                    textColor=text, borderWidth=0.8, borderStyle="solid", size=size,
                )  # fmt: skip
                if stream._af_refstr not in form._refMap:
                    form._refMap[stream._af_refstr] = form.getRef(stream)
                states[value] = form._refMap[stream._af_refstr]
            appearances[key] = PDFDictionary(states)
        shared[size] = PDFDictionary(appearances)
    x, y = canv.absolutePosition(0, 0)
    field = PDFDictionary(
        {
            "FT": PDFName("Btn"),
            "P": canv._doc.thisPageRef(),
            "V": PDFName("Off"),
            "AS": PDFName("Off"),
            "Rect": PDFArray((x, y, x + size, y + size)),
            "AP": shared[size],
            "Subtype": PDFName("Widget"),
            "Type": PDFName("Annot"),
            "F": makeFlags("print", annotationFlagValues),
            "Ff": makeFlags("", fieldFlagValues),
            "H": PDFName("N"),
            "TU": PDFString(tooltip),
            "BS": bsPDF(0.8, "solid", 3),
            "T": PDFString(name),
            "MK": PDFDictionary(
                {
                    "CA": "(4)",  # ZapfDingbats check mark
                    "BC": PDFArray(form.colorTuple(ACCENT)),
                    "BG": PDFArray(form.colorTuple(white)),
                }
            ),
        }
    )
    canv._addAnnotation(field)
    form.fields.append(form.getRef(field))
    form.checkForceBorder(x, y, size, size, True, "square", "solid", 0.8, ACCENT, white)


class CheckItem(Flowable):  # type: ignore[misc]
    """A checkbox followed by its text, the box level with the first line."""

    def __init__(
        self, name: str, text: Paragraph, *, size: float = BOX_SIZE, gap: float = 6.0, tooltip: str = ""
    ) -> None:
        super().__init__()
        self.box = CheckBox(name, size, tooltip)
        self.text = text
        self.size = size
        self.gap = gap
        self.spaceAfter = 2.5
        self._text_height = 0.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        _, self._text_height = self.text.wrap(availWidth - self.size - self.gap, availHeight)
        self.width = availWidth
        self.height = max(self._text_height, self.size)
        return self.width, self.height

    def draw(self) -> None:
        style = self.text.style
        first_line_bottom = self.height - style.leading
        # Centre the box on the first line's x-height band.
        y = first_line_bottom + (style.leading - self.size) / 2 - style.fontSize * 0.08
        if rtl.active():  # the box stands where the line starts: on the right
            self.box.drawOn(self.canv, self.width - self.size, y)
            self.text.drawOn(self.canv, 0, self.height - self._text_height)
            return
        self.box.drawOn(self.canv, 0, y)
        self.text.drawOn(self.canv, self.size + self.gap, self.height - self._text_height)


class RuledLines(Flowable):  # type: ignore[misc]
    """Lines to write on; continues on the next page when it does not fit."""

    def __init__(self, count: int, spacing: float = 19.0, *, indent: float = 0.0) -> None:
        super().__init__()
        self.count = count
        self.spacing = spacing
        self.indent = indent

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        self.height = self.count * self.spacing
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        fits = int(availHeight // self.spacing)
        if fits < 2 or fits >= self.count:
            return []
        return [
            RuledLines(fits, self.spacing, indent=self.indent),
            RuledLines(self.count - fits, self.spacing, indent=self.indent),
        ]

    def draw(self) -> None:
        _rules(self.canv, self.count, self.spacing, self.indent, self.width)


class FillLines(Flowable):  # type: ignore[misc]
    """Ruled lines, under an optional title, filling the rest of the page.

    If fewer than `least` lines fit, the block moves to the next page, or, if `optional`, is left out.
    """

    def __init__(
        self, least: int = 6, spacing: float = 19.0, *, title: Paragraph | None = None, optional: bool = False
    ) -> None:
        super().__init__()
        self.least = least
        self.spacing = spacing
        self.title = title
        self.optional = optional
        self._count = least
        self._title_height = 0.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self._title_height = self.title.wrap(availWidth, availHeight)[1] + 4 if self.title else 0.0
        fits = int((availHeight - self._title_height) // self.spacing)
        if fits >= self.least:
            self._count = fits
        else:
            self._count = 0 if self.optional else self.least
        self.width = availWidth
        self.height = self._title_height + self._count * self.spacing if self._count else 0.0
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        return []

    def draw(self) -> None:
        if not self._count:
            return
        if self.title is not None:
            self.title.drawOn(self.canv, 0, self.height - self._title_height + 4)
        _rules(self.canv, self._count, self.spacing, 0.0, self.width)


def _rules(canv: Canvas, count: int, spacing: float, indent: float, width: float) -> None:
    """Draw `count` writing lines, the first one `spacing` below the top."""
    canv.saveState()
    canv.setStrokeColor(FAINT_RULE)
    canv.setLineWidth(0.5)
    start, end = (0.0, width - indent) if rtl.active() else (indent, width)
    for n in range(count):
        y = (count - n - 1) * spacing + 1
        canv.line(start, y, end, y)
    canv.restoreState()


class BreakableTable(Table):  # type: ignore[misc]
    """A table that breaks inside a row only when the row cannot fit even on an empty page, or (unless
    `whole_rows`) when moving it whole would leave more than a third of the page blank.

    Short rows (a misconception, a block of a formula panel at a page bottom) move to the next page whole.
    A break never leaves an empty piece (only the row's bottom padding) at the top of the next page.
    """

    def __init__(self, *args: Any, frame_height: float = 0.0, whole_rows: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.frame_height = frame_height
        self.whole_rows = whole_rows

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self.splitInRow = 0
        pieces: list[Flowable] = super().split(availWidth, availHeight)
        # Break inside the row when it cannot fit even on an empty page, or when moving it whole would leave
        # more than a third of this page blank.
        limit = self.frame_height - 24
        if not self.whole_rows:
            limit = min(limit, self.frame_height / 3)
        if not pieces and availHeight >= limit:
            self.splitInRow = 1
            pieces = super().split(availWidth, availHeight)
            # Everything fitted but the padding under it: break a little higher, so the padding (and the
            # border under it) ends the first piece instead of making an empty one on the next page.
            if len(pieces) == 2 and _empty(pieces[1]):
                pieces = super().split(availWidth, availHeight - 24)
                if len(pieces) == 2 and _empty(pieces[1]):
                    pieces = []
        for piece in pieces:
            if isinstance(piece, BreakableTable):
                piece.frame_height = self.frame_height  # reportlab makes the pieces without it
                piece.whole_rows = self.whole_rows
        return pieces


def _empty(table: Table) -> bool:
    """Tell whether a table piece holds nothing to draw (every cell empty)."""

    def blank(value: object) -> bool:
        if isinstance(value, (list, tuple)):
            return all(blank(v) for v in value)
        return value is None or (isinstance(value, str) and not value.strip())

    return all(blank(cell) for row in table._cellvalues for cell in row)


class WritingBlock(Flowable):  # type: ignore[misc]
    """Content that must stay on one page with its ruled writing space under it (a drill and its answer lines).

    The block takes at least `least` lines. When the next block would not fit under it anyway, it stretches
    its lines to the page bottom (up to `most`), so the page ends in writing space rather than blank paper.
    """

    def __init__(
        self,
        content: list[Flowable],
        tail: list[Flowable],
        *,
        least: int = 8,
        most: int = 20,
        spacing: float = 19.0,
    ) -> None:
        super().__init__()
        self.content = content
        self.tail = tail  # drawn under the lines (e.g. the link to the answer)
        self.least = least
        self.most = most
        self.spacing = spacing
        self.following: WritingBlock | None = None
        self._lines = least
        self._parts: list[tuple[Flowable, float, float]] = []  # flowable, its height, space above it

    def _layout(self, width: float, parts: list[Flowable]) -> tuple[list[tuple[Flowable, float, float]], float]:
        placed: list[tuple[Flowable, float, float]] = []
        total = 0.0
        for n, flowable in enumerate(parts):
            _, h = flowable.wrap(width, 10_000)
            above = flowable.getSpaceBefore() if n else 0.0
            placed.append((flowable, h, above))
            total += above + h + flowable.getSpaceAfter()
        return placed, total

    def least_height(self, width: float) -> float:
        """Return the height of the block with its fewest lines."""
        _, head = self._layout(width, self.content)
        _, tail = self._layout(width, self.tail)
        return head + self.least * self.spacing + tail + 4

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        head_parts, head = self._layout(availWidth, self.content)
        tail_parts, tail = self._layout(availWidth, self.tail)
        least = head + self.least * self.spacing + tail + 4
        lines = self.least
        if least <= availHeight:
            room = availHeight - least
            next_fits = self.following is not None and self.following.least_height(availWidth) + 12 <= room
            if not next_fits:
                lines = min(self.most, self.least + int(room // self.spacing))
        self._lines = lines
        self._head = head_parts
        self._tail = tail_parts
        self._head_height = head
        self.width = availWidth
        self.height = head + lines * self.spacing + tail + 4
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        return []  # whole on one page, or on the next

    def draw(self) -> None:
        y = self.height
        doc = getattr(self.canv, "_doctemplate", None)
        for flowable, h, above in self._head:
            y -= above + h
            flowable.drawOn(self.canv, 0, y)
            y -= flowable.getSpaceAfter()
            if doc is not None and isinstance(flowable, Heading):
                doc.afterFlowable(flowable)  # bookmark and page number, as for a heading in the story
        y -= self._lines * self.spacing
        self.canv.saveState()
        self.canv.translate(0, y)
        _rules(self.canv, self._lines, self.spacing, 0.0, self.width)
        self.canv.restoreState()
        y -= 4
        for flowable, h, above in self._tail:
            y -= above + h
            flowable.drawOn(self.canv, 0, y)


class DotGrid(Flowable):  # type: ignore[misc]
    """A dot grid under an optional title filling the rest of the page (for diagrams and calculations).

    If less than `least` points of height are left, it moves to the next page.
    """

    def __init__(self, least: float = 160.0, *, title: Paragraph | None = None, most: float = 0.0) -> None:
        super().__init__()
        self.least = least
        self.most = most
        self.title = title
        self._title_height = 0.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self._title_height = self.title.wrap(availWidth, availHeight)[1] + 4 if self.title else 0.0
        grid = availHeight - self._title_height
        if grid < self.least:
            grid = self.least
        if self.most:
            grid = min(grid, self.most)
        self.width = availWidth
        self.height = self._title_height + grid
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        return []

    def draw(self) -> None:
        if self.title is not None:
            self.title.drawOn(self.canv, 0, self.height - self._title_height + 4)
        grid = self.height - self._title_height
        self.canv.saveState()
        self.canv.setStrokeColor(FAINT_RULE)
        self.canv.setLineWidth(0.5)
        self.canv.rect(0, 0, self.width, grid, stroke=1, fill=0)
        self.canv.restoreState()
        dot_grid(self.canv, 0, 0, self.width, grid)


def dot_grid(canvas: Canvas, x: float, y: float, width: float, height: float) -> None:
    """Draw a faint 5 mm dot grid centred in the rectangle (for notes, sketches, diagrams, calculations).

    Each grid size is a PDF form drawn once and reused, so a grid on every page costs a few bytes a page.
    """
    columns, rows = int(width // DOT_PITCH), int(height // DOT_PITCH)
    if columns < 2 or rows < 2:
        return
    name = f"dots{columns}x{rows}"
    if not canvas.hasForm(name):
        canvas.beginForm(name, 0, 0, columns * DOT_PITCH, rows * DOT_PITCH)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.9)
        canvas.setLineCap(1)  # a zero-length line with round caps is a dot
        path = canvas.beginPath()
        for row in range(rows):
            for col in range(columns):
                px, py = (col + 0.5) * DOT_PITCH, (row + 0.5) * DOT_PITCH
                path.moveTo(px, py)
                path.lineTo(px, py)
        canvas.drawPath(path, stroke=1, fill=0)
        canvas.endForm()
    canvas.saveState()
    canvas.translate(x + (width - columns * DOT_PITCH) / 2, y + (height - rows * DOT_PITCH) / 2)
    canvas.doForm(name)
    canvas.restoreState()
