"""A second course on another subject, built end to end: nothing of the default course's wording in its outputs,
a German-labelled variant prints no English label, images and clozes holding math arrive intact in Anki."""

from __future__ import annotations

import dataclasses
import html
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from pypdf import PdfReader

from prepexport.build import BuildOptions, build
from prepexport.course.kinds import KINDS
from prepexport.load import load_file
from prepexport.model import Labels

ROOT = Path(__file__).parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "sre"
DEFAULT_SOURCE = ROOT / "source" / "knowledge.yaml"
NOW = 1_767_225_600  # 2026-01-01, a fixed build time


@dataclass(frozen=True)
class Built:
    """A course built into a folder: its PDF texts and its cards as Anki renders them."""

    source: Path
    pdf_texts: dict[str, str]  # file name -> text of every page
    cards: dict[tuple[str, int], tuple[str, str]]  # (source id, card ordinal) -> (question, answer) HTML
    tags: set[str]
    media: set[str]
    note_types: set[str]
    preview: str  # the card preview page's HTML


def build_course(folder: Path, labels: str = "") -> Built:
    """Copy the course (with a German `labels:` block if given), build it, and read every output back."""
    shutil.copytree(FIXTURE, folder)
    source = folder / "course.yaml"
    if labels:
        text = source.read_text(encoding="utf-8").replace("  language: en\n", "  language: de\n")
        block = "".join(f"  {line}\n" if line.strip() else "\n" for line in labels.splitlines())
        source.write_text(f"{text}\nlabels:\n{block}", encoding="utf-8")
    kb = load_file(source).kb
    out = folder / "out"
    report = build(kb, out, BuildOptions(stamps=folder / "course.stamps.json", now=NOW))
    texts = {
        p.name: "\n".join(page.extract_text() for page in PdfReader(p).pages)
        for p in report.outputs
        if p.suffix == ".pdf"
    }
    col = Collection(str(folder / "collection.anki2"))
    try:
        package = next(p for p in report.outputs if p.suffix == ".apkg")
        options = ImportAnkiPackageOptions(with_scheduling=True)
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package), options=options))
        cards = {}
        tags: set[str] = set()
        note_types: set[str] = set()
        for card_id in col.find_cards(""):
            card = col.get_card(card_id)
            output = card.render_output(reload=True)
            cards[card.note()["Id"], card.ord] = (output.question_text, output.answer_text)
            tags.update(card.note().tags)
            note_types.add(str(card.note_type()["name"]))
        media = {p.name for p in Path(col.media.dir()).iterdir()}
    finally:
        col.close()
    preview = next(p for p in report.outputs if p.suffix == ".html").read_text(encoding="utf-8")
    return Built(source, texts, cards, tags, media, note_types, preview)


@pytest.fixture(scope="module")
def english(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_course(tmp_path_factory.mktemp("sre") / "course")


@pytest.fixture(scope="module")
def german(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_course(tmp_path_factory.mktemp("sre-de") / "course", (FIXTURE / "labels-de.yaml").read_text("utf-8"))


def visible(fragment: str) -> str:
    """Return the text a reader sees in card HTML, roughly: tags dropped, entities decoded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def card_text(built: Built) -> str:
    """Return the visible text of every card, both sides, the buttons of collapsed parts included."""
    return "\n".join(visible(side) for pair in built.cards.values() for side in pair)


def page_text(page: str) -> str:
    """Return the visible text of an HTML page: without its stylesheets and script."""
    return visible(re.sub(r"<(style|script)>.*?</\1>", " ", page, flags=re.DOTALL))


def default_course_wording() -> list[str]:
    """Return the wording the default course sets for itself, and phrases of its subject, none of which
    another course may print."""
    labels = yaml.safe_load(DEFAULT_SOURCE.read_text(encoding="utf-8"))["labels"]
    found: list[str] = []
    for key, value in labels.items():
        neutral = getattr(Labels(), key)
        for text in value if isinstance(value, list) else [value]:
            if text not in neutral and text != neutral:  # the default course's own wording, not a shared default
                found += [part.strip() for part in re.split(r"\{[a-z_]+\}", text) if len(part.strip()) > 3]
    return [*found, "prep::", "Interviewer", "mock interview", "interview", "System-design", "Behavioural"]


def test_the_second_course_builds_both_plans_with_its_own_tags(english: Built) -> None:
    assert sorted(english.pdf_texts) == ["sre-basics-2-weeks.pdf", "sre-basics-6-weeks.pdf"]
    assert "sre-basics::tier::1" in english.tags and "sre-basics::steady::week-06" in english.tags
    assert all(tag.startswith("sre-basics::") for tag in english.tags)
    assert "Zürich" in english.pdf_texts["sre-basics-6-weeks.pdf"]


@pytest.mark.parametrize("phrase", default_course_wording())
def test_no_output_prints_the_default_courses_wording(english: Built, phrase: str) -> None:
    cards = card_text(english)
    assert phrase not in cards, f"a card prints {phrase!r}"
    for name, text in english.pdf_texts.items():
        assert phrase not in " ".join(text.split()), f"{name} prints {phrase!r}"


def test_every_kind_of_note_reaches_the_deck_as_its_own_note_type(english: Built) -> None:
    # The course has a card, formula, drill and misconception of every kind: a kind a renderer dropped or
    # turned into another would be missing here.
    assert english.note_types == {f"SRE Basics: {getattr(Labels(), f'note_{kind}')}" for kind in KINDS}


def test_worksheets_take_their_title_lead_and_fields_from_the_source(english: Built) -> None:
    text = " ".join(english.pdf_texts["sre-basics-2-weeks.pdf"].split())
    assert "Incident review sheet" in text
    assert "One sheet per incident; fill it within two days" in text
    assert all(f"{field}:" in text for field in ("Incident", "Date", "Severity", "Facilitator"))
    assert "Title:" in text  # the story framework names no fields: the labels' neutral ones


def test_images_show_on_the_chosen_side_with_alt_text_in_anki_and_in_the_pdf(english: Built) -> None:
    question, _ = english.cards["signals-list", 0]
    assert re.search(r'<img src="latency-[0-9a-f]{12}\.png" alt="A latency graph whose p99 line', question)
    drill_question, _ = english.cards["drill-latency", 0]
    assert 'alt="The latency graph of the incident' in drill_question
    assert any(name.startswith("latency-") for name in english.media)
    text = " ".join(english.pdf_texts["sre-basics-2-weeks.pdf"].split())
    assert "A latency graph whose p99 line jumps above the 300 ms threshold" in text
    assert "The latency graph of the incident, p99 above the threshold" in text


def test_a_deletion_holding_math_with_closing_braces_stays_whole_in_anki(english: Built) -> None:
    _, answer = english.cards["slo-cloze", 1]
    assert re.search(r'<span class="cloze"[^>]*>\\\(\\frac\{1\}\{10\^\{3\} \}\\\)</span>', answer), answer
    _, answer = english.cards["budget-rate", 0]
    assert re.search(r'<span class="cloze"[^>]*>\\\(b = \\frac\{e\}\{1 - s_\{o\} \}\\\)</span>', answer), answer
    question, _ = english.cards["slo-cloze", 0]
    assert "[three nines]" in visible(question)  # a hint shows in the blank


def test_the_german_labels_name_every_label() -> None:
    german = yaml.safe_load((FIXTURE / "labels-de.yaml").read_text(encoding="utf-8"))
    assert set(german) == {f.name for f in dataclasses.fields(Labels)}


def english_labels(source: Path) -> list[str]:
    """Return the pieces of every default English label a reader could notice, less words the course's own
    text uses (a worksheet field the source names `Date` is the author's word, not a label)."""
    content = source.read_text(encoding="utf-8").split("\nlabels:\n")[0]
    pieces: set[str] = set()
    for field in dataclasses.fields(Labels):
        value = getattr(Labels(), field.name)
        for text in value if isinstance(value, tuple) else (value,):
            for part in re.split(r"\{[a-z_]+\}", text):
                part = part.strip(" :·,;.()→")
                if len(part) >= 4 and part not in content:
                    pieces.add(part)
    return sorted(pieces)


def prints(piece: str, text: str) -> bool:
    """Tell whether the text holds the piece as whole words (`Checklist` is not in `Checkliste`)."""
    return re.search(rf"(?<!\w){re.escape(piece)}(?!\w)", " ".join(text.split())) is not None


def test_a_german_course_prints_no_english_label(german: Built) -> None:
    pieces = english_labels(german.source)
    assert "How to use this workbook" in pieces and "Self-check" in pieces  # the check looks for real labels
    cards = card_text(german)
    preview = page_text(german.preview)
    for piece in pieces:
        assert not prints(piece, cards), f"a card prints {piece!r}"
        assert not prints(piece, preview), f"the preview page prints {piece!r}"
        for name, text in german.pdf_texts.items():
            assert not prints(piece, text), f"{name} prints {piece!r}"
    assert "So arbeitest du mit diesem Heft" in german.pdf_texts["sre-basics-2-weeks.pdf"]
    assert "Stufe 1 · Grundlagen" in cards
    for button in ("Bedeutung", "Rechenbeispiel", "Warum nicht die anderen", "Quelle"):  # collapsed parts
        assert f"<summary>{button}</summary>" in "".join(side for pair in german.cards.values() for side in pair)
    assert "Vorderseite" in preview and "Alle Karten" not in preview


def font_names(path: Path) -> set[str]:
    """Return the base names of every font a PDF embeds (subset prefixes dropped)."""
    import pikepdf

    with pikepdf.open(path) as pdf:
        return {
            str(obj.get("/BaseFont")).lstrip("/").split("+")[-1]
            for obj in pdf.objects
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/Font"
        }


def test_a_course_names_its_own_font(tmp_path: Path) -> None:
    from prepexport.workbook import build_workbook

    folder = tmp_path / "course"
    shutil.copytree(FIXTURE, folder)
    fonts = ROOT / "src" / "prepexport" / "fonts"
    shutil.copy(fonts / "DejaVuSans-Bold.ttf", folder / "own.ttf")  # stands in for, say, a font with CJK glyphs
    source = folder / "course.yaml"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("  language: en\n", "  language: en\n  fonts: {regular: own.ttf}\n"), "utf-8")
    kb = load_file(source).kb
    build_workbook(kb, kb.roadmaps[0], folder / "own.pdf", paper="a4", start=None)
    used = font_names(folder / "own.pdf")
    assert "DejaVuSans-Bold" in used and "DejaVuSansMono" in used  # the course's text font, the shipped mono
    assert not {name for name in used if name.startswith("DejaVuSerif") or name == "DejaVuSans"}, used
    # A course with the default fonts, built next in the same process, gets DejaVu again.
    english = load_file(FIXTURE / "course.yaml").kb
    build_workbook(english, english.roadmaps[0], folder / "again.pdf", paper="a4", start=None)
    assert "DejaVuSerif" in font_names(folder / "again.pdf")
