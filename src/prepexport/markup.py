"""Light inline markup shared by every text field: parse once, render per output.

Syntax: paragraphs split by blank lines; lines starting with `- ` make a bullet list and `1. ` a numbered
list (as in Markdown, also right under a line of text, a numbered one there only at 1; a line under an item
continues it); `**bold**`, `*italic*`, `` `code` ``, inline math `\\( ... \\)` and display math `\\[ ... \\]`.
A backslash before `*`, `` ` `` or `\\` makes it literal. Everything else is plain text, escaped on output.
Math uses LaTeX delimiters rather than `$`, so prices and shell snippets never turn into math.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass
from typing import Literal, NamedTuple


class MarkupError(ValueError):
    """Text that cannot be parsed; `offset` is the character index in the field."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


class Span(NamedTuple):
    """A run of inline content: plain text, code or math, possibly bold and/or italic.

    A named tuple rather than a frozen dataclass: fields hold tens of thousands of spans, made several times
    faster this way, and a span is as immutable either way.
    """

    kind: Literal["text", "code", "math"]
    text: str
    bold: bool = False
    italic: bool = False


Line = tuple[Span, ...]


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of inline spans."""

    spans: Line


@dataclass(frozen=True)
class ItemList:
    """A bullet or numbered list; each item is one line of spans."""

    numbered: bool
    items: tuple[Line, ...]


@dataclass(frozen=True)
class DisplayMath:
    """A formula set on its own line."""

    latex: str


Block = Paragraph | ItemList | DisplayMath

_BULLET = re.compile(r"^\s*[-•]\s+")
_NUMBER = re.compile(r"^\s*\d+[.)]\s+")
_FIRST_NUMBER = re.compile(r"^\s*1[.)]\s+")
#: The characters that can start inline markup.
_SPECIAL = re.compile(r"[\\`*]")


def parse(text: str) -> tuple[Block, ...]:
    """Parse a markup field into blocks (raise MarkupError with the offending offset)."""
    if "\n" not in text:  # most fields are one line: one chunk
        return tuple(_blocks(text, 0)) if text.strip() else ()
    blocks: list[Block] = []
    offset = 0
    for chunk in re.split(r"(\n[ \t]*\n)", text):
        if chunk.strip() and not re.fullmatch(r"\n[ \t]*\n", chunk):
            blocks.extend(_blocks(chunk, offset))
        offset += len(chunk)
    return tuple(blocks)


def _blocks(chunk: str, base: int) -> list[Block]:
    """Split one blank-line-separated chunk into list, display-math and paragraph blocks."""
    stripped = chunk.strip()
    if stripped.startswith("\\[") and stripped.endswith("\\]") and stripped.count("\\[") == 1:
        return [DisplayMath(stripped[2:-2].strip())]
    if "\n" not in chunk and not _BULLET.match(chunk) and not _NUMBER.match(chunk):
        # One line of text, the common case.
        return [Paragraph(parse_inline(stripped, base + len(chunk) - len(chunk.lstrip())))]
    blocks: list[Block] = []
    prose: list[tuple[str, int]] = []  # the paragraph being read: each line's text and offset
    items: list[list[tuple[str, int]]] = []  # the list being read: each item's lines, with their offsets
    numbered = False
    content = 0  # the column the open item's text starts at
    pos = base

    def close() -> None:
        if prose:
            blocks.append(Paragraph(_joined(prose)))
            prose.clear()
        if items:
            blocks.append(ItemList(numbered, tuple(_joined(item) for item in items)))
            items.clear()

    for line in chunk.split("\n"):
        bullet = _BULLET.match(line)
        number = None if bullet else _NUMBER.match(line)
        # As in Markdown, a list may start right under a line of text or an item of another kind, but a numbered
        # one there only at 1, and a number indented under an item's text continues it: a sentence that wraps
        # before "1989. Then" stays a sentence.
        indent = len(line) - len(line.lstrip())
        sibling = items and numbered and indent < content
        marker = bullet or (number if sibling or not (prose or items) or _FIRST_NUMBER.match(line) else None)
        text = line[marker.end() :] if marker else line
        start = pos + len(line) - len(text.lstrip())
        if marker:
            if prose or (items and numbered != bool(number)):
                close()
            numbered = bool(number)
            content = marker.end()
            items.append([(text.strip(), start)])
        elif line.strip():
            # A line under an item continues it, indented or not.
            (items[-1] if items else prose).append((text.strip(), start))
        pos += len(line) + 1
    close()
    return blocks


def _joined(lines: list[tuple[str, int]]) -> Line:
    """Parse lines (each with its offset) as one line of text, joined by spaces; an error points into its line."""
    try:
        return parse_inline(" ".join(text for text, _ in lines))
    except MarkupError as exc:
        at = exc.offset
        for text, start in lines:
            if at <= len(text):
                raise MarkupError(str(exc), start + at) from None
            at -= len(text) + 1
        raise


def parse_inline(text: str, base: int = 0) -> Line:
    """Parse one line of inline markup into spans."""
    if _SPECIAL.search(text) is None:
        return (Span("text", text),) if text else ()  # most text has no markup: skip the scanner
    spans: list[Span] = []
    buf: list[str] = []
    bold = italic = False
    opened = {"bold": 0, "italic": 0}
    i = 0

    def flush() -> None:
        if buf:
            spans.append(Span("text", "".join(buf), bold, italic))
            buf.clear()

    end_of_text = len(text)
    while i < end_of_text:
        # Jump to the next character that can start markup; everything before it is plain text.
        found = _SPECIAL.search(text, i)
        if found is None:
            buf.append(text[i:])
            break
        if found.start() > i:
            buf.append(text[i : found.start()])
        i = found.start()
        c = text[i]
        if text.startswith("\\(", i) or text.startswith("\\[", i):
            close = "\\)" if text[i + 1] == "(" else "\\]"
            end = text.find(close, i + 2)
            if end < 0:
                raise MarkupError(f"math opened with '{text[i : i + 2]}' is never closed with '{close}'", base + i)
            flush()
            spans.append(Span("math", text[i + 2 : end].strip(), bold, italic))
            i = end + 2
        elif c == "\\" and i + 1 < len(text) and text[i + 1] in "*`\\":
            buf.append(text[i + 1])
            i += 2
        elif c == "`":
            end = text.find("`", i + 1)
            if end < 0:
                raise MarkupError("code opened with '`' is never closed", base + i)
            flush()
            spans.append(Span("code", text[i + 1 : end], bold, italic))
            i = end + 1
        elif text.startswith("**", i):
            flush()
            bold = not bold
            opened["bold"] = base + i
            i += 2
        elif c == "*" and _is_emphasis(text, i, italic):
            flush()
            italic = not italic
            opened["italic"] = base + i
            i += 1
        else:
            buf.append(c)
            i += 1
    flush()
    if bold:
        raise MarkupError("bold opened with '**' is never closed", opened["bold"])
    if italic:
        raise MarkupError("italics opened with '*' is never closed", opened["italic"])
    return tuple(spans)


def _is_emphasis(text: str, i: int, italic: bool) -> bool:
    """Tell an emphasis star from a literal one, such as in `2 * 3`."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if italic:
        return not before.isspace()
    return not after.isspace()


def has_markup(text: str) -> bool:
    """Tell whether text holds any character that starts markup; text without one always parses."""
    return _SPECIAL.search(text) is not None


def plain(text: str) -> str:
    """Return the text without markup (math kept as its LaTeX source), for tags, titles and search."""
    parts: list[str] = []
    for block in parse(text):
        if isinstance(block, DisplayMath):
            parts.append(block.latex)
        elif isinstance(block, Paragraph):
            parts.append("".join(s.text for s in block.spans))
        else:
            parts.extend("".join(s.text for s in item) for item in block.items)
    return " ".join(parts)


def math_of(text: str) -> list[tuple[str, int]]:
    """Return each inline or display formula in the text with its offset, for validation."""
    found: list[tuple[str, int]] = []
    for match in re.finditer(r"\\\((.*?)\\\)|\\\[(.*?)\\\]", text, re.DOTALL):
        found.append(((match.group(1) if match.group(1) is not None else match.group(2)).strip(), match.start()))
    return found


def to_html(text: str) -> str:
    """Render markup as escaped HTML, with math left in Anki's \\( \\) and \\[ \\] delimiters."""
    if "\n" not in text and _SPECIAL.search(text) is None and not _BULLET.match(text) and not _NUMBER.match(text):
        return _escape(text.strip())  # one plain line: nothing to parse
    return _marked_up_html(text)


# Loading validates every field by rendering it, and the deck renders the same fields again in the same
# process: remembering the result halves the markup work of a build. The strings are the ones the deck keeps
# anyway; the bound only matters to a long-running `watch`.
@functools.lru_cache(maxsize=1 << 18)
def _marked_up_html(text: str) -> str:
    """Render text that holds markup (raise MarkupError if it does not parse)."""
    out: list[str] = []
    blocks = parse(text)
    for block in blocks:
        if isinstance(block, DisplayMath):
            out.append(f'<div class="math">\\[{html.escape(block.latex, quote=False)}\\]</div>')
        elif isinstance(block, Paragraph):
            out.append(f"<p>{line_html(block.spans)}</p>" if len(blocks) > 1 else line_html(block.spans))
        else:
            tag = "ol" if block.numbered else "ul"
            items = "".join(f"<li>{line_html(item)}</li>" for item in block.items)
            out.append(f"<{tag}>{items}</{tag}>")
    return "".join(out)


def _escape(text: str) -> str:
    """Escape &, < and > (most text has none, and looking is cheaper than replacing)."""
    return html.escape(text, quote=False) if "&" in text or "<" in text or ">" in text else text


def line_html(spans: Line) -> str:
    """Render a line of spans as escaped HTML."""
    out: list[str] = []
    for span in spans:
        if span.kind == "math":
            body = f"\\({_escape(span.text)}\\)"
        elif span.kind == "code":
            body = f"<code>{_escape(span.text)}</code>"
        else:
            body = _escape(span.text)
        if span.italic:
            body = f"<i>{body}</i>"
        if span.bold:
            body = f"<b>{body}</b>"
        out.append(body)
    return "".join(out)
