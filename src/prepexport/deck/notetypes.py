"""The six note types of the deck: their fields, card templates and one shared stylesheet.

Fields and template names are the schema Anki matches an imported note type against: changing them under the
same id makes Anki import a copy ("Name+") and skip every existing note, so the build refuses that (see
stamps.py) and docs/anki.md describes the migration. Template HTML and CSS may change freely: they reach users
on their next import because the note type's mod time changes with them.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass, replace
from typing import Any

import genanki

from prepexport.course.kinds import Kind
from prepexport.course.language import direction
from prepexport.model import Labels

#: Fields every note type ends with: where the note sits in the course, where to read more, and its source id.
#: Workbook holds the workbook section of each plan (e.g. "4-week track §1.7 · 8-week track §2.3"), Source the
#: topic's references.
CONTEXT_FIELDS = ("Area", "Topic", "Tier", "Workbook", "Source", "Id")

CSS = """\
/* prepexport: one stylesheet for every note type. Light colours by default, dark under Anki's night mode
   (.nightMode on desktop and AnkiMobile, .night_mode on AnkiDroid); no JavaScript, no web fonts.
   In night mode the app paints its own dark background over .card's, so panels, code and rules are
   translucent there: they stay visible on any dark background and never glare. */
:root {
  --prep-fg: #1c1c1e;
  --prep-bg: #fcfcfa;
  --prep-muted: #66666d;
  --prep-rule: #d4d4da;
  --prep-panel: #f1f2f5;
  --prep-accent: #1f56a8;
  --prep-good: #1d6e33;
  --prep-bad: #9e2a2f;
  --prep-code-bg: #ececf0;
  --prep-thumb: #b8b8c0;
}
.nightMode, .night_mode {
  --prep-fg: #e4e4e7;
  --prep-bg: #1d1d20;
  --prep-muted: #a6a6ae;
  --prep-rule: rgba(255, 255, 255, 0.2);
  --prep-panel: rgba(255, 255, 255, 0.07);
  --prep-accent: #8ab4f8;
  --prep-good: #7fd18f;
  --prep-bad: #f28b82;
  --prep-code-bg: rgba(255, 255, 255, 0.11);
  --prep-thumb: rgba(255, 255, 255, 0.3);
  color-scheme: dark;
}
.card {
  font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 20px;
  line-height: 1.45;
  color: var(--prep-fg);
  background-color: var(--prep-bg);
  text-align: left;
}
.prep { max-width: 36em; margin: 0 auto; padding: 0.2em 0.6em 1em; overflow-wrap: break-word; }
.prep p { margin: 0 0 0.6em; }
.prep ul, .prep ol { margin: 0.3em 0 0.6em; padding-left: 1.4em; }
.prep li { margin: 0.15em 0; }
.prep img { max-width: 100%; height: auto; }
.prep code {
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  font-size: 0.88em;
  background: var(--prep-code-bg);
  border-radius: 4px;
  padding: 0.05em 0.3em;
  overflow-wrap: anywhere;
}
/* Wide content (display math, the symbol legend) scrolls sideways inside its own box on a narrow screen,
   with a thin scrollbar as the hint that there is more; the page itself never scrolls sideways. */
.prep .math, .prep-display, .prep-scroll {
  overflow-x: auto;
  overflow-y: hidden;
  scrollbar-width: thin;
  scrollbar-color: var(--prep-thumb) transparent;
}
.prep .math::-webkit-scrollbar, .prep-display::-webkit-scrollbar, .prep-scroll::-webkit-scrollbar { height: 6px; }
.prep .math::-webkit-scrollbar-thumb, .prep-display::-webkit-scrollbar-thumb, .prep-scroll::-webkit-scrollbar-thumb {
  background: var(--prep-thumb);
  border-radius: 3px;
}
.prep .math::-webkit-scrollbar-track, .prep-display::-webkit-scrollbar-track, .prep-scroll::-webkit-scrollbar-track {
  background: transparent;
}
.prep .math { margin: 0.4em 0; }
/* MathJax 3 never breaks a line inside inline math; let a long inline formula wrap between its top-level
   parts, as text wraps between words, rather than run off a phone screen. Each part stays whole, and so
   does a symbol in the legend. */
.prep mjx-container[jax="CHTML"]:not([display="true"]) > mjx-math { display: inline; white-space: normal; }
.prep mjx-container[jax="CHTML"] > mjx-math > * { white-space: nowrap; }
.prep-legend td:first-child mjx-container[jax="CHTML"] > mjx-math { white-space: nowrap; }
/* MathJax's hidden copy for screen readers keeps the width of the unwrapped formula; without this it pokes
   out of a wrapped formula and makes the page (or the legend) scroll sideways for nothing. */
.prep mjx-assistive-mml { right: 0; }
.prep-context { font-size: 0.68em; color: var(--prep-muted); line-height: 1.35; margin-bottom: 0.9em; }
.prep-context .prep-where { font-weight: 600; }
.prep-tier {
  display: inline-block;
  border: 1px solid var(--prep-rule);
  border-radius: 0.8em;
  padding: 0 0.5em;
  margin-left: 0.3em;
  white-space: nowrap;
}
.prep-title { font-size: 1.15em; font-weight: 700; margin: 0 0 0.4em; }
.prep-prompt { font-size: 0.8em; color: var(--prep-muted); font-style: italic; margin-top: 0.8em; }
.prep-label {
  font-size: 0.7em;
  font-weight: 700;
  letter-spacing: 0.05em;
  text-transform: uppercase;
  color: var(--prep-muted);
  margin: 0.9em 0 0.15em;
}
.prep-term { font-size: 1.3em; font-weight: 700; text-align: center; margin: 0.6em 0; }
/* The formula of a Formula card. Not .prep-formula: that is the card's own wrapper (class="prep prep-formula"). */
.prep-display { font-size: 1.1em; text-align: center; margin: 0.6em 0; }
.prep-term + .prep-prompt, .prep-display + .prep-prompt { text-align: center; }
.prep-legend { border-collapse: collapse; margin: 0.2em 0 0.6em; font-size: 0.9em; }
.prep-legend td { border-top: 1px solid var(--prep-rule); padding: 0.25em 0.6em 0.25em 0; vertical-align: top; }
.prep-legend td:first-child { white-space: nowrap; }
.prep-legend td + td { padding-right: 0; }
.prep-panel { background: var(--prep-panel); border-radius: 6px; padding: 0.5em 0.7em; margin: 0.5em 0; }
.prep-drill .prep-question { font-weight: 600; margin-top: 0.6em; }
.prep-choices { list-style-type: upper-alpha; }
.prep-verdict { font-weight: 600; }
.prep-right { color: var(--prep-good); font-weight: 700; }
.prep-wrong { color: var(--prep-bad); font-weight: 700; }
.prep .prep-hint-body ul { list-style: none; padding-left: 0; }
.prep-why { font-size: 0.9em; font-style: italic; color: var(--prep-muted); margin: 0.1em 0 0.4em; }
.prep-extra { font-size: 0.88em; color: var(--prep-muted); margin-top: 0.8em; }
.prep-cloze .prep-extra { border-top: 1px solid var(--prep-rule); padding-top: 0.6em; }
.prep-topic-line { font-size: 0.8em; color: var(--prep-muted); margin-bottom: 0.2em; }
.prep-meaning { margin: 0.4em 0; }
/* Collapsed parts: <details> with a small button (its <summary>, worded by the course's labels) that opens a
   panel below. Plain HTML, no JavaScript: it works in every Anki client's webview. */
.prep-hint { margin: 0.6em 0 0; }
.prep-hint > summary {
  display: inline-block;
  list-style: none;
  cursor: pointer;
  padding: 0.1em 0.7em;
  border: 1px solid var(--prep-rule);
  border-radius: 1em;
  font-size: 0.78em;
  color: var(--prep-accent);
}
.prep-hint > summary::-webkit-details-marker { display: none; }
.prep-hint > summary::marker { content: ""; }
.prep-hint > summary::before { content: "\\25B8\\00A0"; }
.prep-hint[open] > summary::before { content: "\\25BE\\00A0"; }
.prep-hint-body { background: var(--prep-panel); border-radius: 6px; padding: 0.5em 0.7em; margin: 0.5em 0; }
.prep-footer {
  font-size: 0.7em;
  line-height: 1.4;
  color: var(--prep-muted);
  border-top: 1px dashed var(--prep-rule);
  padding-top: 0.4em;
  margin-top: 1.2em;
}
.prep-more > div { margin-bottom: 0.25em; }
/* The Source button sits in the small footer: as large as the other buttons, and its panel at footer size. */
.prep-footer .prep-hint { margin: 0.1em 0 0; }
.prep-footer .prep-hint > summary { font-size: 1.1em; }
.prep-footer .prep-hint-body { margin: 0.3em 0 0; }
.prep-footer .prep-hint-body a { overflow-wrap: anywhere; }
.prep-more-label { font-weight: 700; text-transform: uppercase; letter-spacing: 0.05em; font-size: 0.9em; }
.prep-refs a, .prep-more a { color: var(--prep-accent); }
.prep-source {
  display: flex;
  flex-wrap: wrap;
  justify-content: space-between;
  gap: 0.2em 1em;
}
.prep-id { margin-left: auto; }
.cloze { font-weight: 700; color: var(--prep-accent); }
hr#answer { border: 0; border-top: 1px solid var(--prep-rule); background: none; margin: 0.9em 0; }
@media (max-width: 480px) {
  .card { font-size: 18px; }
  .prep { padding: 0 0.2em 0.8em; }
  .prep-display { font-size: 0.95em; }
}
"""

# The question side shows only the area and tier: the topic often names the answer (a term, a formula, a
# cloze deletion), and where the plans teach it is reading for after the answer.
_CONTEXT = (
    '<div class="prep-context">'
    '<span class="prep-where">{{Area}}</span>'
    '{{#Tier}}<span class="prep-tier">{{Tier}}</span>{{/Tier}}'
    "</div>"
)
# Every answer side ends with where to read more (the workbook section of each plan, the topic's references),
# then the topic and the note's id, which a learner quotes when reporting a mistake. The references are
# collapsed like the other long parts: a topic may list many, and a back must fit a phone screen.
_FOOTER = (
    '<div class="prep-footer"><div class="prep-more">'
    '{{#Workbook}}<div class="prep-read"><span class="prep-more-label">⟦deck_workbook⟧</span> {{Workbook}}</div>'
    "{{/Workbook}}"
    '{{#Source}}<div class="prep-refs"><details class="prep-hint"><summary>⟦deck_source⟧</summary>'
    '<div class="prep-hint-body">{{Source}}</div></details></div>{{/Source}}'
    "</div>"
    '<div class="prep-source">{{#Topic}}<span class="prep-topic">⟦topic⟧: {{Topic}}</span>{{/Topic}}'
    '<span class="prep-id">{{Id}}</span></div></div>'
)
_EXTRA = (
    '{{#Extra}}<div class="prep-extra">{{Extra}}</div>{{/Extra}}'
    '{{#Image}}<div class="prep-image">{{Image}}</div>{{/Image}}'
)


def _hint(field: str, label: str) -> str:
    """Return a collapsed field: a button worded by the label (Anki's hint filter would name it after the field,
    in English whatever the course's language) that opens the field below it."""
    return (
        "{{#" + field + '}}<details class="prep-hint"><summary>' + _word(label) + "</summary>"
        '<div class="prep-hint-body">{{' + field + "}}</div></details>{{/" + field + "}}"
    )


def _open(kind: str) -> str:
    """Return the opening tag of a side, which carries the course's language and writing direction."""
    # So Anki lays a right-to-left course out right to left, and picks the glyphs of the course's language.
    return '<div class="prep prep-' + kind + '" lang="⟦language⟧" dir="⟦direction⟧">'


def _front(kind: str, body: str) -> str:
    """Wrap a question side: where the note sits in the course, then the prompt."""
    return _open(kind) + _CONTEXT + body + "</div>"


def _back(kind: str, body: str) -> str:
    """Wrap an answer side that follows the question: the question side, a rule, the answer, the footer."""
    return '{{FrontSide}}<hr id="answer">' + _open(kind) + body + _FOOTER + "</div>"


def _alone(kind: str, body: str) -> str:
    """Wrap an answer side that replaces a long question instead of repeating it."""
    return _open(kind) + _CONTEXT + body + _FOOTER + "</div>"


def _word(key: str) -> str:
    """Return a marker for one of the course's labels, filled in by `NoteType.localized`."""
    return "⟦" + key + "⟧"


def _label(key: str) -> str:
    """Return a small heading inside a card, worded by the label of this name."""
    return '<div class="prep-label">' + _word(key) + "</div>"


def _prompt(key: str) -> str:
    """Return the instruction under a question, worded by the label of this name."""
    return '<div class="prep-prompt">' + _word(key) + "</div>"


_WORD = re.compile("⟦([a-z_0-9]+)⟧")


@dataclass(frozen=True)
class Template:
    """One card of a note type: its name and the question and answer HTML."""

    name: str
    front: str
    back: str


@dataclass(frozen=True)
class NoteType:
    """A note type as prepexport defines it; its id and name come from the knowledge base."""

    kind: Kind
    label: str
    fields: tuple[str, ...]
    templates: tuple[Template, ...]
    cloze: bool = False

    def localized(self, labels: Labels, language: str) -> NoteType:
        """Return the note type with its name and fixed words taken from the course's labels, in its language."""
        own = {"language": language, "direction": direction(language)}

        def word(match: re.Match[str]) -> str:
            return html.escape(own.get(match.group(1)) or getattr(labels, match.group(1)), quote=False)

        def fill(text: str) -> str:
            return _WORD.sub(word, text)

        templates = tuple(replace(t, front=fill(t.front), back=fill(t.back)) for t in self.templates)
        return replace(self, label=getattr(labels, f"note_{self.kind}"), templates=templates)

    def schema(self) -> dict[str, Any]:
        """Return what Anki matches on besides the id: field names, template names and the cloze flag."""
        return {"fields": list(self.fields), "templates": [t.name for t in self.templates], "cloze": self.cloze}

    def digest(self, name: str) -> str:
        """Hash everything a user sees of the note type, so a template or CSS change gives a new mod time."""
        content = {
            "name": name,
            "schema": self.schema(),
            "templates": [[t.name, t.front, t.back] for t in self.templates],
            "css": CSS,
        }
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:16]

    def to_json(self, model_id: int, name: str, mod: int, deck_id: int) -> dict[str, Any]:
        """Return the note type as the collection's `models` JSON, stamped with this mod time."""
        model = genanki.Model(
            model_id,
            name,
            fields=[{"name": f} for f in self.fields],
            templates=[{"name": t.name, "qfmt": t.front, "afmt": t.back} for t in self.templates],
            css=CSS,
            model_type=genanki.Model.CLOZE if self.cloze else genanki.Model.FRONT_BACK,
        )
        data: dict[str, Any] = model.to_json(mod, deck_id)
        return data


# The legend scrolls sideways on its own if a symbol is too wide for a phone, like display math.
_LEGEND = '<div class="prep-scroll">{{Symbols}}</div>'

#: The note types, keyed by kind. Template HTML may change (it reaches users on their next import); a change
#: to field names or card names gives the note type a new id (see build.model_id and docs/anki.md).
NOTE_TYPES: dict[Kind, NoteType] = {
    "basic": NoteType(
        "basic",
        "Basic",
        ("Question", "Answer", "Extra", "Image", *CONTEXT_FIELDS),
        (
            Template(
                "Question",
                _front("basic", '<div class="prep-question">{{Question}}</div>'),
                _back("basic", '<div class="prep-answer">{{Answer}}</div>' + _EXTRA),
            ),
        ),
    ),
    "reversible": NoteType(
        "reversible",
        "Reversible",
        ("Term", "Meaning", "Extra", "Image", *CONTEXT_FIELDS),
        (
            Template(
                "Term to meaning",
                _front("reversible", '<div class="prep-term">{{Term}}</div>' + _prompt("term_prompt")),
                _back("reversible", '<div class="prep-answer">{{Meaning}}</div>' + _EXTRA),
            ),
            Template(
                "Meaning to term",
                _front("reversible", '<div class="prep-answer">{{Meaning}}</div>' + _prompt("meaning_prompt")),
                _back("reversible", '<div class="prep-term">{{Term}}</div>' + _EXTRA),
            ),
        ),
    ),
    "cloze": NoteType(
        "cloze",
        "Cloze",
        ("Text", "Extra", "Image", *CONTEXT_FIELDS),
        (
            Template(
                "Cloze",
                _front("cloze", '<div class="prep-question">{{cloze:Text}}</div>'),
                # The back repeats the text with the deletion revealed, rather than the front side. No
                # <hr id="answer"> before it: Anki scrolls that to the top, which would hide a long text's answer.
                _alone("cloze", '<div class="prep-question">{{cloze:Text}}</div>' + _EXTRA),
            ),
        ),
        cloze=True,
    ),
    "formula": NoteType(
        "formula",
        "Formula",
        # Formula is the whole formula; Expression the same without the left-hand side that names it.
        ("Name", "Formula", "Expression", "Meaning", "Symbols", "Worked example", *CONTEXT_FIELDS),
        (
            Template(
                "Name to formula",
                # The name and its topic only: the meaning spells out the computation, so it waits for the back.
                _front(
                    "formula",
                    '<div class="prep-title">{{Name}}</div>'
                    '{{#Topic}}<div class="prep-topic-line">{{Topic}}</div>{{/Topic}}'
                    + _prompt("name_to_formula_prompt"),
                ),
                _back(
                    "formula",
                    '<div class="prep-display">{{Formula}}</div>'
                    + _LEGEND
                    + _hint("Meaning", "deck_meaning")
                    + _hint("Worked example", "worked_example"),
                ),
            ),
            Template(
                "Formula to name",
                _front(
                    "formula",
                    '<div class="prep-display">{{Expression}}</div>' + _prompt("formula_to_name_prompt"),
                ),
                # The answer shows the whole formula, left-hand side included, so the question is not repeated.
                _alone(
                    "formula",
                    '<div class="prep-title">{{Name}}</div>'
                    '<div class="prep-display">{{Formula}}</div>'
                    '<div class="prep-meaning">{{Meaning}}</div>'
                    + _hint("Symbols", "symbols")
                    + _hint("Worked example", "worked_example"),
                ),
            ),
        ),
    ),
    "drill": NoteType(
        "drill",
        "Debugging drill",
        (
            "Title",
            "Scenario",
            "Question",
            "Choices",
            "Answer",
            "Why",
            "Fix",
            "Why not the others",
            *CONTEXT_FIELDS,
        ),
        (
            Template(
                "Drill",
                _front(
                    "drill",
                    '<div class="prep-title">{{Title}}</div><div class="prep-panel">{{Scenario}}</div>'
                    '<div class="prep-question">{{Question}}</div>{{Choices}}',
                ),
                # The scenario and choices are long: the back names the drill and gives the answer only.
                _alone(
                    "drill",
                    '<div class="prep-title">{{Title}}</div>'
                    + _label("answer")
                    + '<div class="prep-answer prep-verdict">{{Answer}}</div>'
                    + _label("why")
                    + "<div>{{Why}}</div>"
                    + _label("fix")
                    + '<div class="prep-panel">{{Fix}}</div>'
                    + _hint("Why not the others", "deck_why_not"),
                ),
            ),
        ),
    ),
    "misconception": NoteType(
        "misconception",
        "Misconception",
        ("Symptom", "Cause", "Fix", *CONTEXT_FIELDS),
        (
            Template(
                "Symptom to cause",
                _front(
                    "misconception",
                    _label("symptom") + '<div class="prep-panel">{{Symptom}}</div>' + _prompt("symptom_prompt"),
                ),
                _back(
                    "misconception",
                    _label("cause") + '<div class="prep-answer">{{Cause}}</div>' + _label("fix") + "<div>{{Fix}}</div>",
                ),
            ),
        ),
    ),
}
