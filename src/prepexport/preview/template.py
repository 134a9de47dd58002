"""The part of Anki's card template language the deck's note types can use, rendered as Anki renders it.

Supported: `{{Field}}`, sections `{{#Field}}...{{/Field}}` and `{{^Field}}...{{/Field}}`, the special fields
`FrontSide`, `Tags`, `Type`, `Deck`, `Subdeck` and `Card`, and the filters `text:`, `hint:` and `cloze:`
(chained filters apply right to left, as in Anki). Anything else renders as a visible warning, so a template
change the preview cannot follow shows up in the preview instead of silently vanishing.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

Side = Literal["front", "back"]


@dataclass(frozen=True)
class Replacement:
    """A `{{filter:Field}}` tag."""

    field: str
    filters: tuple[str, ...]


@dataclass(frozen=True)
class Section:
    """A `{{#Field}}` (shown when the field is not empty) or `{{^Field}}` (shown when it is) section."""

    field: str
    inverted: bool
    body: tuple[Node, ...]


Node = str | Replacement | Section


@dataclass(frozen=True)
class CardContext:
    """What one card's template sees: its note's fields and where it is."""

    fields: dict[str, str]
    ordinal: int  # 0-based: the template for standard notes, the cloze number minus one for cloze notes
    side: Side
    front_side: str = ""
    tags: tuple[str, ...] = ()
    note_type: str = ""
    deck: str = ""
    card: str = ""
    # Numbers the hints of one page, so each reveal link opens its own panel (Anki shows one card at a time).
    serials: Iterator[int] = field(default_factory=itertools.count)


class TemplateError(ValueError):
    """A template whose sections do not nest."""


_TAG = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_CLOZE_OPEN = re.compile(r"\{\{c(\d+)::")
_HTML_TAG = re.compile(r"<[^>]*>")
_IMAGE = re.compile(r"<img[^>]*>", re.IGNORECASE)


def parse_template(text: str) -> tuple[Node, ...]:
    """Parse a template into text, replacements and sections (raise TemplateError if sections do not nest)."""
    stack: list[tuple[str, bool, list[Node]]] = [("", False, [])]
    position = 0
    for match in _TAG.finditer(text):
        if match.start() > position:
            stack[-1][2].append(text[position : match.start()])
        position = match.end()
        inside = match.group(1).strip()
        if inside[:1] in "#^":
            stack.append((inside[1:].strip(), inside[0] == "^", []))
        elif inside[:1] == "/":
            name = inside[1:].strip()
            if len(stack) == 1 or stack[-1][0] != name:
                raise TemplateError(f"{{{{/{name}}}}} closes a section that is not open")
            field, inverted, body = stack.pop()
            stack[-1][2].append(Section(field, inverted, tuple(body)))
        else:
            *filters, field = inside.split(":")
            stack[-1][2].append(Replacement(field.strip(), tuple(f.strip() for f in filters)))
    if len(stack) > 1:
        raise TemplateError(f"section {{{{#{stack[-1][0]}}}}} is never closed")
    if position < len(text):
        stack[0][2].append(text[position:])
    return tuple(stack[0][2])


def render(nodes: tuple[Node, ...], context: CardContext) -> str:
    """Render parsed template nodes for one side of one card."""
    out: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, Section):
            if field_is_empty(_value(node.field, context)) == node.inverted:
                out.append(render(node.body, context))
        else:
            out.append(_replace(node, context))
    return "".join(out)


def field_is_empty(value: str | None) -> bool:
    """Tell whether Anki treats a field as empty: nothing but whitespace once tags are stripped (images count)."""
    if value is None:
        return True
    return not _HTML_TAG.sub("", _IMAGE.sub("x", value)).replace("&nbsp;", " ").strip()


def _value(name: str, context: CardContext) -> str | None:
    """Return a field's value, a special field's, or None for a name the note type lacks."""
    if name in context.fields:
        return context.fields[name]
    special = {
        "FrontSide": context.front_side,
        "Tags": " ".join(context.tags),
        "Type": context.note_type,
        "Deck": context.deck,
        "Subdeck": context.deck.rsplit("::", 1)[-1],
        "Card": context.card,
    }
    return special.get(name)


def _replace(node: Replacement, context: CardContext) -> str:
    value = _value(node.field, context)
    if value is None:
        return _warning(f"unknown field {node.field}")
    for name in reversed(node.filters):
        if name == "text":
            value = _HTML_TAG.sub("", value)
        elif name == "hint":
            value = hint(node.field, value, next(context.serials))
        elif name == "cloze":
            value = cloze(value, context.ordinal + 1, context.side)
        else:
            return _warning(f"the preview does not know the template filter '{name}'")
    return value


def hint(name: str, value: str, serial: int = 0) -> str:
    """Render a hint as Anki does: a link named after the field that reveals the field's panel when clicked.

    The same markup as Anki's, so the deck's stylesheet (`a.hint`, `div.hint`) styles it the same way here.
    """
    if field_is_empty(value):
        return ""
    target = f"hint{serial}"
    return (
        f'<a class=hint href="#" onclick="this.style.display=\'none\';'
        f"document.getElementById('{target}').style.display='block';return false;\" draggable=false>"
        f"{html.escape(name)}</a>"
        f'<div id="{target}" class=hint style="display: none">{value}</div>'
    )


def cloze(text: str, number: int, side: Side) -> str:
    """Render cloze deletions for card `number`: hidden as [...] or [hint] on the front, highlighted on the back."""
    nodes, _ = _cloze_nodes(text, 0, nested=False)
    return _render_cloze(nodes, number, side)


@dataclass(frozen=True)
class _Deletion:
    number: int
    body: tuple[_Deletion | str, ...]
    hint: str


def _cloze_nodes(text: str, start: int, *, nested: bool) -> tuple[tuple[_Deletion | str, ...], int]:
    """Parse text with possibly nested {{cN::...::hint}} deletions from `start`; return nodes and end index."""
    nodes: list[_Deletion | str] = []
    buf: list[str] = []
    i = start
    while i < len(text):
        opening = _CLOZE_OPEN.match(text, i)
        if opening:
            body, i = _cloze_nodes(text, opening.end(), nested=True)
            nodes.extend(["".join(buf)] if buf else [])
            buf = []
            nodes.append(_split_hint(int(opening.group(1)), body))
            continue
        if nested and text.startswith("}}", i):
            nodes.extend(["".join(buf)] if buf else [])
            return tuple(nodes), i + 2
        buf.append(text[i])
        i += 1
    nodes.extend(["".join(buf)] if buf else [])
    return tuple(nodes), i


def _split_hint(number: int, body: tuple[_Deletion | str, ...]) -> _Deletion:
    """Move a trailing `::hint` of the deletion's own text (not a nested one's) into its hint."""
    if body and isinstance(body[-1], str) and "::" in body[-1]:
        text, hint_text = body[-1].split("::", 1)
        return _Deletion(number, (*body[:-1], text) if text else body[:-1], hint_text)
    return _Deletion(number, body, "")


def _render_cloze(nodes: tuple[_Deletion | str, ...], number: int, side: Side) -> str:
    out: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif node.number != number:
            body = _render_cloze(node.body, number, side)
            out.append(f'<span class="cloze-inactive" data-ordinal="{node.number}">{body}</span>')
        elif side == "front":
            shown = f"[{node.hint}]" if node.hint else "[...]"
            out.append(f'<span class="cloze" data-ordinal="{node.number}">{shown}</span>')
        else:
            body = _render_cloze(node.body, number, side)
            out.append(f'<span class="cloze" data-ordinal="{node.number}">{body}</span>')
    return "".join(out)


def _warning(message: str) -> str:
    return f'<span class="pv-warning">{{{html.escape(message)}}}</span>'
