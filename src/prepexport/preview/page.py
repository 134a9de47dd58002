"""The card preview page: every card's front and back, rendered with the deck's own templates and stylesheet.

The page is one self-contained HTML file: the deck's CSS, images as data URIs, math as MathML (no MathJax, no
network), and a few lines of script for the light/dark switch and the new-or-changed filter.
"""

from __future__ import annotations

import base64
import functools
import html
import itertools
import mimetypes
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from latex2mathml.converter import convert as latex_to_mathml

from prepexport.course.labels import fill
from prepexport.course.language import direction
from prepexport.model import Labels
from prepexport.preview.template import CardContext, parse_template, render

Status = Literal["new", "changed", ""]

_MATH = re.compile(r"\\\((.*?)\\\)|\\\[(.*?)\\\]", re.DOTALL)
# MathJax, which Anki uses, leaves code alone; so does the preview.
_CODE = re.compile(r"(<code\b.*?</code>)", re.DOTALL | re.IGNORECASE)
_IMG_SRC = re.compile(r'(<img\b[^>]*?\bsrc=")([^"]*)(")', re.IGNORECASE)
#: The math face the workbook typesets in; MathML needs an OpenType math font to stretch brackets and roots.
MATH_FONT = Path(__file__).parents[1] / "fonts" / "texgyredejavu-math.otf"


@dataclass(frozen=True)
class PreviewNote:
    """One note to show: its note type's JSON as the deck writes it, its fields and cards, and what changed."""

    key: str
    model: Mapping[str, Any]
    fields: tuple[str, ...]
    card_ords: tuple[int, ...]
    tags: tuple[str, ...]
    deck: str
    status: Status


@dataclass(frozen=True)
class WeekGroup:
    """A heading and the notes the plan first teaches under it."""

    anchor: str
    title: str
    notes: tuple[PreviewNote, ...]


@dataclass(frozen=True)
class Page:
    """Everything the page shows."""

    title: str
    language: str
    css: str
    groups: tuple[WeekGroup, ...]
    media: Mapping[str, bytes]
    compared: bool  # False before the first deck build: nothing to compare against, so nothing is marked
    words: Labels  # the page's own words, from the course's labels like every word it prints


def render_page(page: Page) -> str:
    """Return the whole HTML document."""
    notes = [n for g in page.groups for n in g.notes]
    cards = sum(len(n.card_ords) for n in notes)
    new = sum(1 for n in notes if n.status == "new")
    changed = sum(1 for n in notes if n.status == "changed")
    images = {name: _data_uri(name, data) for name, data in page.media.items()}
    words = page.words
    since = fill(words.preview_since, new=new, changed=changed) if page.compared else words.preview_first
    title = html.escape(fill(words.preview_title, title=page.title))
    counts = fill(words.preview_counts, notes=len(notes), cards=cards)
    nav = "".join(
        f'<li><a href="#{g.anchor}">{html.escape(g.title)}</a> <span class="pv-count">({len(g.notes)})</span></li>'
        for g in page.groups
    )
    serials = itertools.count()  # hint panels numbered across the page
    sections = "".join(_section(group, images, serials, words) for group in page.groups)
    return f"""<!DOCTYPE html>
<html lang="{html.escape(page.language)}" dir="{direction(page.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
{page.css}
</style>
<style>
{_math_font()}
{_CHROME}
</style>
</head>
<body class="pv">
<header class="pv-header">
<h1>{title}</h1>
<p class="pv-summary">{html.escape(counts)} · {html.escape(since)}</p>
<div class="pv-controls">
<button type="button" id="pv-theme" aria-pressed="false" data-dark="{html.escape(words.preview_dark)}"
 data-light="{html.escape(words.preview_light)}">{html.escape(words.preview_dark)}</button>
<label><input type="checkbox" id="pv-only"> {html.escape(words.preview_only)}</label>
</div>
<p class="pv-about">{html.escape(words.preview_about)}</p>
<nav><ol class="pv-nav">{nav}</ol></nav>
</header>
<main>
{sections}
</main>
<script>
{_SCRIPT}
</script>
</body>
</html>
"""


def _section(group: WeekGroup, images: Mapping[str, str], serials: Iterator[int], words: Labels) -> str:
    notes = "".join(_note(note, images, serials, words) for note in group.notes)
    return f'<section class="pv-week" id="{group.anchor}"><h2>{html.escape(group.title)}</h2>{notes}</section>\n'


def _note(note: PreviewNote, images: Mapping[str, str], serials: Iterator[int], words: Labels) -> str:
    model = note.model
    field_names = [f["name"] for f in model["flds"]]
    fields = dict(zip(field_names, note.fields, strict=True))
    templates = model["tmpls"]
    cloze = model.get("type") == 1
    cards = []
    for ordinal in note.card_ords:
        template = templates[0] if cloze else templates[ordinal]
        context = CardContext(
            fields,
            ordinal,
            "front",
            tags=note.tags,
            note_type=model["name"],
            deck=note.deck,
            card=template["name"],
            serials=serials,
        )
        front = render(_parsed(template["qfmt"]), context)
        back = render(_parsed(template["afmt"]), replace(context, side="back", front_side=front))
        # Named by the note type's label and the card's number: template names are the schema, not labels.
        name = f"{model['name'].rsplit(': ', 1)[-1]} {ordinal + 1}"
        cards.append(
            f'<div class="pv-card"><div class="pv-card-name">{html.escape(name)}</div><div class="pv-sides">'
            + _side("front", words.preview_front, front, ordinal, images)
            + _side("back", words.preview_back, back, ordinal, images)
            + "</div></div>"
        )
    shown = {"new": words.preview_new, "changed": words.preview_changed}.get(note.status or "", "")
    badge = f'<span class="pv-badge pv-badge-{note.status}">{html.escape(shown)}</span>' if note.status else ""
    status = f" pv-{note.status}" if note.status else ""
    kind = html.escape(model["name"].rsplit(": ", 1)[-1])
    return (
        f'<article class="pv-note{status}" id="note-{html.escape(note.key.replace(":", "-"))}" '
        f'data-key="{html.escape(note.key)}" data-status="{note.status}">'
        f'<div class="pv-note-head"><span class="pv-kind">{kind}</span> <code>{html.escape(note.key)}</code>{badge}'
        f"</div>{''.join(cards)}</article>\n"
    )


def _side(side: str, label: str, body: str, ordinal: int, images: Mapping[str, str]) -> str:
    """Wrap one side as Anki does (the card's body carries the classes `card` and `cardN`)."""
    shown = _inline_images(_math_to_mathml(body), images)
    return (
        f'<div class="pv-side pv-{side}"><div class="pv-side-label">{html.escape(label)}</div>'
        f'<div class="card card{ordinal + 1}">{shown}</div></div>'
    )


@functools.cache
def _math_font() -> str:
    """Return the CSS that carries the math font inside the page and sets every formula in it."""
    # A browser without a math font of its own sets MathML in a text face: brackets around a fraction stay
    # small and root signs short. Carried in the page, the font needs no network and no installed fonts.
    data = base64.b64encode(MATH_FONT.read_bytes()).decode("ascii")
    return (
        f'@font-face {{ font-family: "prepexport math"; src: url("data:font/otf;base64,{data}"); }}\n'
        'math { font-family: "prepexport math", math; }'
    )


@functools.cache
def _parsed(template: str) -> Any:
    return parse_template(template)


def _math_to_mathml(body: str) -> str:
    """Replace \\( \\) and \\[ \\] math outside <code> with MathML, as MathJax would typeset it."""
    parts = _CODE.split(body)
    return "".join(part if i % 2 else _MATH.sub(_formula, part) for i, part in enumerate(parts))


def _formula(match: re.Match[str]) -> str:
    inline = match.group(1) is not None
    latex = html.unescape(match.group(1) if inline else match.group(2))
    return mathml(latex.strip(), "inline" if inline else "block")


@functools.cache
def mathml(latex: str, display: Literal["inline", "block"]) -> str:
    """Return MathML for a formula, or its source marked as not typeset if it does not convert."""
    try:
        converted: str = latex_to_mathml(latex, display=display)
    except Exception:  # latex2mathml raises many unrelated types for input it cannot handle
        return f'<code class="pv-math-error" title="not typeset">{html.escape(latex)}</code>'
    return converted


def _inline_images(body: str, images: Mapping[str, str]) -> str:
    def swap(match: re.Match[str]) -> str:
        name = html.unescape(match.group(2))
        return match.group(1) + images.get(name, match.group(2)) + match.group(3)

    return _IMG_SRC.sub(swap, body) if "<img" in body else body


def _data_uri(name: str, data: bytes) -> str:
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def week_groups(
    notes: Sequence[PreviewNote], weeks: Sequence[str], week_of: Iterable[int | None], rest: str
) -> tuple[WeekGroup, ...]:
    """Group notes (in deck order) under the titles of the plan's weeks; notes in no week come last, as `rest`."""
    buckets: dict[int | None, list[PreviewNote]] = {}
    for note, week in zip(notes, week_of, strict=True):
        buckets.setdefault(week, []).append(note)
    groups = [WeekGroup(f"week-{n}", title, tuple(buckets[n])) for n, title in enumerate(weeks, 1) if buckets.get(n)]
    if buckets.get(None):
        groups.append(WeekGroup("no-week", rest, tuple(buckets[None])))
    return tuple(groups)


_CHROME = """\
/* The preview's own frame; the cards inside use only the deck's stylesheet above. */
body.pv { margin: 0; font-family: system-ui, sans-serif; background: #e9e9ec; color: #1c1c1e; }
body.pv.nightMode { background: #121214; color: #e4e4e7; }
.pv-header { padding: 1em 1.5em 0.5em; }
.pv-header h1 { font-size: 1.4em; margin: 0 0 0.2em; }
.pv-summary, .pv-about { margin: 0.2em 0; font-size: 0.9em; }
.pv-about { opacity: 0.75; }
.pv-controls { display: flex; gap: 1.2em; align-items: center; margin: 0.6em 0; font-size: 0.9em; }
.pv-controls button { font: inherit; padding: 0.2em 0.9em; border-radius: 4px; cursor: pointer; }
.pv-nav { display: flex; flex-wrap: wrap; gap: 0.3em 1.4em; list-style: none; padding: 0; font-size: 0.9em; }
.pv-nav a { color: inherit; }
.pv-count { opacity: 0.6; }
main { padding: 0 1.5em 2em; }
.pv-week h2 { font-size: 1.15em; border-bottom: 1px solid #9995; padding-bottom: 0.2em; margin-top: 1.6em; }
.pv-note { margin: 1em 0; padding: 0.6em 0.8em; border-radius: 8px; border: 1px solid #9994; }
.pv-note.pv-new { border: 2px solid #2f8f4e; }
.pv-note.pv-changed { border: 2px solid #c27c0e; }
.pv-note-head { font-size: 0.85em; margin-bottom: 0.4em; display: flex; gap: 0.6em; align-items: center; }
.pv-kind { font-weight: 600; }
.pv-badge { font-size: 0.8em; font-weight: 700; text-transform: uppercase; padding: 0 0.5em; border-radius: 1em;
  color: #fff; }
.pv-badge-new { background: #2f8f4e; }
.pv-badge-changed { background: #c27c0e; }
.pv-card-name { font-size: 0.78em; opacity: 0.7; margin: 0.5em 0 0.2em; }
.pv-sides { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 22em), 1fr)); gap: 0.8em; }
.pv-side-label { font-size: 0.72em; text-transform: uppercase; letter-spacing: 0.05em; opacity: 0.6; }
.pv-side .card { border-radius: 6px; padding: 0.6em 0.4em; box-shadow: 0 1px 3px #0003; overflow-x: auto; }
.pv-side math[display="block"] { overflow-x: auto; overflow-y: hidden; max-width: 100%; }
.pv-warning, .pv-math-error { color: #b3261e; }
body.pv-only-changed .pv-note:not(.pv-new):not(.pv-changed) { display: none; }
"""

_SCRIPT = """\
(function () {
  var body = document.body, button = document.getElementById("pv-theme"), only = document.getElementById("pv-only");
  function dark(on) {
    body.classList.toggle("nightMode", on);  /* Anki desktop and AnkiMobile */
    body.classList.toggle("night_mode", on);  /* AnkiDroid */
    button.textContent = on ? button.dataset.light : button.dataset.dark;
    button.setAttribute("aria-pressed", on ? "true" : "false");
    try { localStorage.setItem("prepexport-preview-dark", on ? "1" : "0"); } catch (e) {}
  }
  var saved = null;
  try { saved = localStorage.getItem("prepexport-preview-dark"); } catch (e) {}
  dark(saved === null ? window.matchMedia("(prefers-color-scheme: dark)").matches : saved === "1");
  button.addEventListener("click", function () { dark(!body.classList.contains("nightMode")); });
  only.addEventListener("change", function () { body.classList.toggle("pv-only-changed", only.checked); });
})();
"""
