"""The card preview: parsed as a browser would, every card of the deck, rendered with the deck's own templates."""

from __future__ import annotations

import base64
import re
import shutil
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from prepexport.build import BuildOptions
from prepexport.build import build as full_build
from prepexport.deck import build_deck, notetypes
from prepexport.deck.notes import collect_notes
from prepexport.deck.notetypes import NOTE_TYPES
from prepexport.load import load_file
from prepexport.preview import build_preview
from prepexport.preview.template import CardContext, TemplateError, cloze, parse_template, render

FIXTURE = Path(__file__).parent / "fixtures" / "deck"


@dataclass
class Element:
    """One parsed element: tag, attributes, text inside it (children's included) and children."""

    tag: str
    attrs: dict[str, str]
    children: list[Element] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def find_all(self, cls: str) -> list[Element]:
        found = [self] if cls in self.classes() else []
        return found + [e for child in self.children for e in child.find_all(cls)]

    def all_text(self) -> str:
        return "".join(self.text)

    def tags(self) -> set[str]:
        return {self.tag} | {t for child in self.children for t in child.tags()}


class _Tree(HTMLParser):
    VOID = frozenset({"meta", "img", "br", "hr", "input", "link"})

    def __init__(self) -> None:
        super().__init__()
        self.root = Element("#root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(element)
        if tag not in self.VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        for element in self.stack:
            element.text.append(data)


def parse_page(path: Path) -> Element:
    tree = _Tree()
    tree.feed(path.read_text(encoding="utf-8"))
    tree.close()
    assert len(tree.stack) == 1, "unclosed elements"
    return tree.root


@pytest.fixture
def course(tmp_path: Path) -> Path:
    folder = tmp_path / "course"
    shutil.copytree(FIXTURE, folder)
    return folder / "course.yaml"


def build(source: Path, out: Path) -> Path:
    kb = load_file(source).kb
    stamps = source.with_name("course.stamps.json")
    build_deck(kb, out, stamps_path=stamps)
    return build_preview(kb, out, stamps_path=stamps).path


def card(page: Element, key: str, index: int = 0) -> tuple[Element, Element]:
    """Return the front and back of a note's card."""
    note = next(n for n in page.find_all("pv-note") if n.attrs["data-key"] == key)
    shown = note.find_all("pv-card")[index]
    return shown.find_all("pv-front")[0], shown.find_all("pv-back")[0]


def test_every_card_is_shown_with_the_deck_css_and_no_outside_resources(course: Path, tmp_path: Path) -> None:
    path = build(course, tmp_path / "out")
    page = parse_page(path)
    collected = collect_notes(load_file(course).kb)
    assert len(page.find_all("pv-note")) == len(collected.notes)
    assert len(page.find_all("pv-card")) == sum(len(n.card_ords) for n in collected.notes)
    text = path.read_text(encoding="utf-8")
    assert notetypes.CSS in text
    assert not re.search(r"""(src|href)="(https?:)?//""", text.split("<main>")[1].replace('href="http', "")), (
        "only the references' own links may point outside the page"
    )
    assert "<link" not in text and "<script src" not in text
    images = [e for e in _walk(page) if e.tag == "img"]
    assert images and all(e.attrs["src"].startswith("data:image/png;base64,") for e in images)


def _walk(element: Element) -> list[Element]:
    return [element] + [e for child in element.children for e in _walk(child)]


def test_cloze_front_hides_and_back_reveals_with_math_as_mathml(course: Path, tmp_path: Path) -> None:
    page = parse_page(build(course, tmp_path / "out"))
    front, back = card(page, "cloze:attn-cloze", 0)
    assert [e.all_text() for e in front.find_all("cloze")] == ["[...]"]
    assert "softmax" in {e.all_text() for e in front.find_all("cloze-inactive")}
    assert "math" in back.find_all("cloze")[0].tags()
    front2, back2 = card(page, "cloze:attn-cloze", 1)
    assert [e.all_text() for e in front2.find_all("cloze")] == ["[...]"]
    assert [e.all_text() for e in back2.find_all("cloze")] == ["softmax"]
    for side in (front, back, front2, back2):
        assert "\\(" not in side.all_text() and "\\[" not in side.all_text()


def test_reversible_cards_use_each_template_and_back_repeats_front(course: Path, tmp_path: Path) -> None:
    page = parse_page(build(course, tmp_path / "out"))
    forward_front, forward_back = card(page, "reversible:attn-query", 0)
    backward_front, _ = card(page, "reversible:attn-query", 1)
    assert "What does it mean?" in forward_front.all_text()
    assert "Which term is this?" in backward_front.all_text()
    assert forward_front.find_all("prep-term")[0].all_text() in forward_back.all_text()
    assert forward_back.find_all("card")[0].classes() == {"card", "card1"}
    assert backward_front.find_all("card")[0].classes() == {"card", "card2"}


def test_template_changes_flow_into_the_preview(course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    basic = NOTE_TYPES["basic"]
    changed = replace(basic.templates[0], front=basic.templates[0].front + '<div class="made-up">{{text:Id}}</div>')
    monkeypatch.setitem(NOTE_TYPES, "basic", replace(basic, templates=(changed,)))
    page = parse_page(build(course, tmp_path / "out"))
    front, _ = card(page, "basic:attn-scale")
    assert front.find_all("made-up")[0].all_text() == "attn-scale"


def test_notes_are_grouped_by_the_first_plans_weeks(course: Path, tmp_path: Path) -> None:
    page = parse_page(build(course, tmp_path / "out"))
    weeks = {s.attrs["id"]: [n.attrs["data-key"] for n in s.find_all("pv-note")] for s in page.find_all("pv-week")}
    assert list(weeks) == ["week-1", "week-2", "no-week"]
    assert "basic:attn-scale" in weeks["week-1"] and "basic:recall-question" in weeks["week-2"]
    assert weeks["no-week"] == ["basic:hnsw-layers", "basic:extra-card"]  # in the second plan only, in none
    headings = [s.children[0].all_text() for s in page.find_all("pv-week")]
    assert headings[0].startswith("Week 1: ")


def test_new_and_changed_notes_are_marked_and_rebuilds_are_identical(course: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = parse_page(build(course, out))
    assert not first.find_all("pv-new") and not first.find_all("pv-changed")  # a first build compares nothing
    text = course.read_text(encoding="utf-8")
    edited = text.replace("meaning: The vector that asks", "meaning: The vector that really asks", 1)
    assert edited != text
    course.write_text(edited, encoding="utf-8")
    path = build(course, out)
    second = parse_page(path)
    changed = [n.attrs["data-key"] for n in second.find_all("pv-changed")]
    assert changed == ["reversible:attn-query"] and not second.find_all("pv-new")
    assert second.find_all("pv-changed")[0].find_all("pv-badge")[0].all_text() == "changed"
    before = path.read_bytes()
    assert build(course, out).read_bytes() == before  # an unchanged rebuild writes the same bytes


def test_a_note_not_yet_in_the_stamps_is_new(course: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(course, out)
    text = course.read_text(encoding="utf-8")
    marker = "      - id: attn-scale\n"
    assert marker in text
    course.write_text(
        text.replace(marker, "      - id: brand-new\n        question: New?\n        answer: Yes.\n" + marker),
        encoding="utf-8",
    )
    kb = load_file(course).kb
    # The preview alone, before the deck restamps: the new note has no stamp yet.
    page = parse_page(build_preview(kb, out, stamps_path=course.with_name("course.stamps.json")).path)
    assert [n.attrs["data-key"] for n in page.find_all("pv-new")] == ["basic:brand-new"]


def test_template_language() -> None:
    fields = {"Front": "<b>Q</b>", "Back": "", "Hint": "look closer"}
    context = CardContext(fields, 0, "front")
    assert render(parse_template("{{#Back}}yes{{/Back}}{{^Back}}no{{/Back}}"), context) == "no"
    assert render(parse_template("{{text:Front}}"), context) == "Q"
    shown = render(parse_template("{{hint:Hint}}{{hint:Hint}}"), context)
    assert shown.count("<a class=hint") == 2 and shown.count('class=hint style="display: none">look closer') == 2
    assert 'id="hint0"' in shown and 'id="hint1"' in shown  # each link opens its own panel
    assert "unknown field Nope" in render(parse_template("{{Nope}}"), context)
    back = CardContext(fields, 0, "back", front_side="FRONT")
    assert render(parse_template("{{FrontSide}}<hr id=answer>{{Front}}"), back) == "FRONT<hr id=answer><b>Q</b>"
    with pytest.raises(TemplateError):
        parse_template("{{#Front}}open")
    with pytest.raises(TemplateError):
        parse_template("{{/Front}}")


def test_cloze_hints_and_nesting() -> None:
    assert cloze("a {{c1::b::letter}} c", 1, "front") == 'a <span class="cloze" data-ordinal="1">[letter]</span> c'
    assert cloze("a {{c1::b::letter}} c", 1, "back") == 'a <span class="cloze" data-ordinal="1">b</span> c'
    nested = "{{c1::outer {{c2::inner}}}}"
    assert cloze(nested, 1, "front") == '<span class="cloze" data-ordinal="1">[...]</span>'
    assert cloze(nested, 2, "front") == (
        '<span class="cloze-inactive" data-ordinal="1">outer <span class="cloze" data-ordinal="2">[...]</span></span>'
    )


def test_each_build_marks_only_what_changed_since_the_build_before(course: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"

    def build_at(now: int) -> Element:
        options = BuildOptions(stamps=course.with_name("course.stamps.json"), weeks=(), now=now)
        report = full_build(load_file(course).kb, out, options)
        return parse_page(next(p for p in report.outputs if p.suffix == ".html"))

    def edit(old: str, new: str) -> None:
        text = course.read_text(encoding="utf-8")
        assert old in text
        course.write_text(text.replace(old, new, 1), encoding="utf-8")

    build_at(1_700_000_000)
    edit("meaning: The vector that asks", "meaning: The vector that really asks")
    assert [n.attrs["data-key"] for n in build_at(1_700_000_100).find_all("pv-changed")] == ["reversible:attn-query"]
    # The next edit touches another note: the first one was changed by the build before, not since it.
    edit("Two reasons:", "Two reasons, both numerical:")
    page = build_at(1_700_000_200)
    assert [n.attrs["data-key"] for n in page.find_all("pv-changed")] == ["basic:attn-scale"]
    assert "0 new and 1 changed" in page.find_all("pv-summary")[0].all_text()
    # Built again with nothing edited, the page stays the same: the marks are still those of the latest change.
    before = (out / "deck-fixture-preview.html").read_bytes()
    assert [n.attrs["data-key"] for n in build_at(1_700_000_300).find_all("pv-changed")] == ["basic:attn-scale"]
    assert (out / "deck-fixture-preview.html").read_bytes() == before


def test_a_rebuild_with_nothing_edited_claims_no_change_since_the_last_build(course: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    options = BuildOptions(stamps=course.with_name("course.stamps.json"), weeks=(), now=1_700_000_000)
    full_build(load_file(course).kb, out, options)
    text = course.read_text(encoding="utf-8")
    course.write_text(text.replace("meaning: The vector that asks", "meaning: The vector that really asks"), "utf-8")
    full_build(load_file(course).kb, out, replace(options, now=1_700_000_100))
    again = full_build(load_file(course).kb, out, replace(options, now=1_700_000_200))
    assert any("since the last build: 0 new, 0 changed, 0 removed notes" in line for line in again.lines)
    shown = next(line for line in again.lines if "-preview.html" in line and line.startswith("wrote "))
    assert shown.endswith("(0 new, 1 changed by the latest build with changes)")
    header = parse_page(out / "deck-fixture-preview.html").find_all("pv-summary")[0].all_text()
    assert "since the last build" not in header and "1 changed by the latest build with changes" in header


def test_math_is_set_in_the_shipped_math_font_carried_by_the_page(course: Path, tmp_path: Path) -> None:
    # Without a math font of its own a browser sets MathML in whatever text face it has: brackets do not grow
    # around a fraction and root signs are drawn short. The page carries the workbook's math face.
    text = build(course, tmp_path / "out").read_text(encoding="utf-8")
    face = re.search(r'@font-face \{ font-family: "([^"]+)"; src: url\("data:font/otf;base64,([\w+/=]+)"\)', text)
    assert face is not None
    shipped = Path(__file__).parents[1] / "src" / "prepexport" / "fonts" / "texgyredejavu-math.otf"
    assert base64.b64decode(face.group(2)) == shipped.read_bytes()
    assert re.search(rf'math \{{ font-family: "{face.group(1)}", math; ', text)


ONE_CARD = """\
meta:
  id: one-card
  title: One card
  author: A. Author
  deck: One Card
  anki: {deck: 1930000000001, basic: 1930000000101, reversible: 1930000000102, cloze: 1930000000103,
         formula: 1930000000104, drill: 1930000000105, misconception: 1930000000106}
areas: [{id: basics, title: Basics}]
topics:
  - id: only
    title: The only topic
    tier: 1
    area: basics
    summary: One topic with one card.
    cards: [{id: only-card, question: What is here?, answer: One card.}]
"""


def test_a_course_of_one_card_never_speaks_of_1_notes(tmp_path: Path) -> None:
    source = tmp_path / "course.yaml"
    source.write_text(ONE_CARD, encoding="utf-8")
    header = parse_page(build(source, tmp_path / "out")).find_all("pv-summary")[0].all_text()
    assert "Notes: 1; cards: 1" in header
    assert not re.search(r"\b1 (notes|cards)\b", header)


def test_the_build_line_of_a_one_card_preview_says_1_card_of_1_note(tmp_path: Path) -> None:
    source = tmp_path / "course.yaml"
    source.write_text(ONE_CARD, encoding="utf-8")
    report = build_preview(load_file(source).kb, tmp_path / "out", stamps_path=tmp_path / "stamps.json")
    assert ": 1 card of 1 note (" in report.lines()[0]
