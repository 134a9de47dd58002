"""The Anki deck, checked as a learner meets it: imported, studied, edited and re-imported with Anki's own library."""

from __future__ import annotations

import html
import json
import re
import shutil
import sqlite3
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from anki.consts import DYN_DUE
from anki.decks import DeckId
from anki.import_export_pb2 import IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_ALWAYS
from anki.scheduler.v3 import Scheduler

from prepexport.course.order import roadmap_order
from prepexport.course.pace import paces
from prepexport.course.tags import tag_root
from prepexport.deck import DeckReport, StampsError, build_deck, notetypes
from prepexport.deck.expression import right_hand_side
from prepexport.deck.media import media_name
from prepexport.deck.notetypes import NOTE_TYPES, Template
from prepexport.errors import SourceError
from prepexport.load import load_file
from prepexport.model import KnowledgeBase

if TYPE_CHECKING:
    from anki.cards import CardId  # importing it before anki.collection is circular

FIXTURE = Path(__file__).parent / "fixtures" / "deck"
DEFAULT_SOURCE = Path(__file__).parents[1] / "source" / "knowledge.yaml"
T0, T1 = 1_700_000_000, 1_700_100_000  # two build times, both before any study session in these tests

TOPIC = "Scaled dot-product attention"
ATTENTION_SECTIONS = "2-week §1.1 · 3-week §1.1, §2.1"
# Every note of the fixture, in the order both plans teach it: plan-a's week 1 (attention, then the drill it
# lists), plan-b's week 2 (hnsw) before that drill, which plan-b teaches with its topic in week 3.
ROADMAP_ORDER = [
    "attn-scale",
    "attn-cloze",
    "attn-query",
    "attn-frac",
    "softmax",
    "mis-attn",
    "drill-unlisted",
    "hnsw-layers",
    "drill-listed",
    "recall-question",
    "recall-at-k",
    "extra-card",
]
ATTENTION_NOTES = {"attn-scale", "attn-cloze", "attn-query", "attn-frac", "softmax", "mis-attn", "drill-unlisted"}
WEEKS = {
    "plan-a::week-01": ATTENTION_NOTES | {"drill-listed"},
    "plan-a::week-02": {"recall-question", "recall-at-k"},
    "plan-b::week-01": ATTENTION_NOTES,
    "plan-b::week-02": ATTENTION_NOTES | {"hnsw-layers"},
    "plan-b::week-03": {"recall-question", "recall-at-k", "drill-listed"},
}
PLANS = ("plan-a", "plan-b")
PACE = 2  # plan-a's week 1 has 11 new cards: ceil(11 / 6), six days a week leave one to spare


@dataclass(frozen=True)
class Course:
    """A writable copy of the fixture source, with its stamps file beside it."""

    folder: Path

    @property
    def source(self) -> Path:
        return self.folder / "course.yaml"

    @property
    def stamps(self) -> Path:
        return self.folder / "course.stamps.json"

    def edit(self, old: str, new: str) -> None:
        text = self.source.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"fixture text to replace not found once: {old!r}"
        self.source.write_text(text.replace(old, new), encoding="utf-8")

    def build(self, out: Path, now: int | None = None) -> DeckReport:
        return build_deck(load_file(self.source).kb, out, stamps_path=self.stamps, now=now)


def copy_course(folder: Path) -> Course:
    shutil.copytree(FIXTURE, folder)
    return Course(folder)


def build_at(course: Course, out: Path, epoch: int) -> DeckReport:
    return course.build(out, now=epoch)


def import_package(col: Collection, apkg: Path, **options: Any) -> Any:
    """Import as Anki's import dialog does by default (update notes and note types if newer)."""
    options.setdefault("with_scheduling", True)
    request = ImportAnkiPackageRequest(package_path=str(apkg), options=ImportAnkiPackageOptions(**options))
    log = col.import_anki_package(request).log
    col.models._clear_cache()  # the Python layer caches note types across imports
    return log


def note_of(col: Collection, source_id: str) -> Any:
    (note_id,) = col.find_notes(f'"Id:{source_id}"')
    return col.get_note(note_id)


def rendered(col: Collection) -> dict[tuple[str, str], tuple[str, str]]:
    """Return (question, answer) HTML per (source id, card name), as the reviewer shows them."""
    out = {}
    for card_id in col.find_cards(""):
        card = col.get_card(card_id)
        result = card.render_output(reload=True)
        name = str(card.template()["name"])
        if card.note_type()["type"] == 1:  # a cloze note has one card per deletion
            name = f"c{card.ord + 1}"
        out[card.note()["Id"], name] = (result.question_text, result.answer_text)
    return out


def visible(html: str) -> str:
    """Return the text a reader sees, roughly: tags dropped, cloze answers hidden in attributes ignored."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def deck_id(col: Collection, name: str) -> DeckId:
    found = col.decks.id_for_name(name)
    assert found is not None, f"no deck {name!r}"
    return found


def queue(col: Collection, deck: DeckId) -> list[str]:
    """Return the source ids of the cards the scheduler would show next in a deck, one per note."""
    col.decks.select(deck)
    assert isinstance(col.sched, Scheduler)
    cards = col.sched.get_queued_cards(fetch_limit=99).cards
    return list(dict.fromkeys(col.get_card(c.card.id).note()["Id"] for c in cards))


def this_week(col: Collection, week: str, limit: int = 9999) -> DeckId:
    """Make the filtered deck docs/anki.md describes for one plan week, e.g. `plan-a::week-01`."""
    filtered = col.decks.new_filtered(f"This week {week}")
    deck = col.decks.get(filtered)
    assert deck is not None
    deck["terms"] = [[f'deck:"Fixture Course" tag:prep::{week}', limit, DYN_DUE]]
    col.decks.save(deck)
    col.sched.rebuild_filtered_deck(filtered)
    return filtered


def study(col: Collection, deck: str, count: int) -> None:
    """Answer the next `count` cards of a deck with Good."""
    col.decks.select(deck_id(col, deck))
    for _ in range(count):
        card = col.sched.getCard()
        assert card is not None
        card.start_timer()
        col.sched.answerCard(card, 3)


def history(col: Collection) -> tuple[list[Any], list[Any]]:
    """Return the review log and every card's scheduling state."""
    assert col.db is not None
    revlog = col.db.all("SELECT * FROM revlog ORDER BY id")
    cards = col.db.all("SELECT id, nid, did, ord, type, queue, due, ivl, factor, reps, lapses FROM cards ORDER BY id")
    return revlog, cards


@pytest.fixture
def col(tmp_path: Path) -> Iterator[Collection]:
    collection = Collection(str(tmp_path / "collection.anki2"))
    yield collection
    collection.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Course, DeckReport]:
    """Build the fixture once, at time T0, for the tests that only read the package."""
    course = copy_course(tmp_path_factory.mktemp("course") / "course")
    return course, build_at(course, course.folder / "out", T0)


@pytest.fixture
def imported(col: Collection, built: tuple[Course, DeckReport]) -> Collection:
    import_package(col, built[1].path)
    return col


def test_report_names_the_package_and_counts_per_note_type(built: tuple[Course, DeckReport]) -> None:
    course, report = built
    assert report.path == course.folder / "out" / "deck-fixture.apkg"
    assert report.lines() == [
        f"wrote {report.path}: 12 notes, 16 cards, 1 image",
        "  Basic: 4 notes, 4 cards",
        "  Reversible: 1 note, 2 cards",
        "  Cloze: 2 notes, 3 cards",
        "  Formula: 2 notes, 4 cards",
        "  Drill: 2 notes, 2 cards",
        "  Misconception: 1 note, 1 card",
        f"  new cards a day: {PACE} in the deck's preset (Two-week plan {PACE}, Three-week plan {PACE})",
        "  since the last build: 12 new, 0 changed, 0 removed notes",
        f"  started a new stamps file {course.stamps}: commit it with the source",
    ]


def test_fresh_import_adds_every_note_and_card(col: Collection, built: tuple[Course, DeckReport]) -> None:
    log = import_package(col, built[1].path)
    assert (len(log.new), len(log.updated), len(log.conflicting)) == (12, 0, 0)
    per_type = Counter(col.get_card(c).note_type()["name"] for c in col.find_cards(""))
    assert per_type == {
        "Fixture Course: Basic": 4,
        "Fixture Course: Reversible": 2,
        "Fixture Course: Cloze": 3,
        "Fixture Course: Formula": 4,
        "Fixture Course: Drill": 2,
        "Fixture Course: Misconception": 1,
    }
    assert col.note_count() == 12


def test_every_card_renders_both_sides(imported: Collection) -> None:
    cards = rendered(imported)
    assert len(cards) == 16
    for (source_id, name), (question, answer) in cards.items():
        assert visible(question), f"{source_id} {name}: empty question"
        assert visible(answer) not in ("", visible(question)), f"{source_id} {name}: the answer shows nothing new"
        for side in (question, answer):
            assert not re.search(r"\{\{.*?\}\}", side), f"{source_id} {name}: template syntax left in {side}"
    names = {key[1] for key in cards}
    assert names == {
        "Question",
        "Term to meaning",
        "Meaning to term",
        "c1",
        "c2",
        "Name to formula",
        "Formula to name",
        "Drill",
        "Symptom to cause",
    }


def test_cloze_cards_hide_then_show_their_deletion_with_math_intact(imported: Collection) -> None:
    cards = rendered(imported)
    question, answer = cards["attn-cloze", "c1"]
    assert '<span class="cloze" data-cloze=' in question and "[...]</span>" in question
    assert r'<span class="cloze" data-ordinal="1">\(\sqrt{d_k}\)</span>' in answer
    question, answer = cards["attn-cloze", "c2"]
    assert r"\(\sqrt{d_k}\)" in question  # the other deletion stays visible
    assert '<span class="cloze" data-ordinal="2">softmax</span>' in answer
    # Braces inside math kept apart by the author stay apart: the deletion holds the whole fraction.
    assert r'<span class="cloze" data-ordinal="1">\(\frac{1}{ \sqrt{d} }\)</span>' in cards["attn-frac", "c1"][1]


def test_fronts_show_area_and_tier_and_backs_say_where_to_read_more(imported: Collection) -> None:
    cards = rendered(imported)
    for (source_id, name), (question, answer) in cards.items():
        assert re.search(r"Tier [123] · (core|intermediate|advanced)", question), f"{source_id} {name}: tier"
        # The plan weeks and the topic wait for the answer side: a topic title often names the answer.
        assert "Topic:" not in question and re.search(r"Topic: \w", answer), f"{source_id} {name}: topic"
        assert "week §" not in question and "WORKBOOK" not in visible(question).upper(), f"{source_id} {name}"
        assert re.search(r"Workbook</span> [23]-week §|extra reading", answer), f"{source_id} {name}"
    question, answer = cards["attn-scale", "Question"]
    assert "Transformer architecture" in question and f"Topic: {TOPIC}" in answer
    assert f"Workbook</span> {ATTENTION_SECTIONS}<" in answer
    assert "Vaswani et al. (2017)" in answer  # the topic's references, in the Source field
    # ... behind a Source button, like the other long parts: a topic may list many, and a back fits a phone.
    panel = r'<div class="prep-hint-body">'
    button = r'<div class="prep-refs"><details class="prep-hint"><summary>Source</summary>'
    assert re.search(button + panel + r"Vaswani et al\. \(2017\)", answer)
    assert "Vaswani" not in visible(re.sub(panel + ".*?</div>", "", answer))
    # A formula takes its linked topic's sections; a drill listed in a week outside its topic's section names it.
    assert f"Workbook</span> {ATTENTION_SECTIONS}<" in cards["softmax", "Formula to name"][1]
    assert "2-week §2.1, week 1 · 3-week §3.1<" in cards["drill-listed", "Drill"][1]
    assert "3-week §2.2<" in cards["hnsw-layers", "Question"][1]
    assert "not in any plan: extra reading" in cards["extra-card", "Question"][1]


def test_text_is_escaped_and_markup_and_math_render(imported: Collection) -> None:
    cards = rendered(imported)
    question, answer = cards["attn-scale", "Question"]
    assert r"<code>a &lt; b &amp;&amp; c</code> true, and why divide by \(\sqrt{d_k}\)?" in question
    assert "<li><b>Saturation</b>: large scores push softmax to one-hot.</li>" in answer
    formula = cards["softmax", "Name to formula"][1]
    assert r"\[\operatorname{softmax}(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}}\]" in formula
    assert r"<td>\(z_i\)</td><td>the score of item \(i\)</td>" in formula
    assert r"Scores 0 and \(\ln 3\) become weights 0.25 and 0.75." in formula
    drill_question, drill_answer = cards["drill-unlisted", "Drill"]
    assert (
        "Attention weights are all nearly one-hot" in drill_question
        and "The learning rate is too high." in drill_question
    )
    # Choices are reordered by a hash of their keys: the right one is not always first, as authors tend to write it.
    assert re.search(r"<li>The learning rate is too high.</li><li>The scores are not divided by", drill_question)
    assert '<span class="prep-right">B.</span> The scores are not divided by' in drill_answer
    assert "Divide the scores by" in drill_answer and "It is the first step" in drill_answer
    symptom, cause = cards["mis-attn", "Symptom to cause"]
    assert "You can write the formula" in symptom and "memorised without their purpose" not in symptom
    assert "memorised without their purpose" in cause and "Work a small example by hand" in cause


def test_formula_fronts_never_hold_their_answer(imported: Collection) -> None:
    cards = rendered(imported)
    question, answer = cards["recall-at-k", "Name to formula"]
    # The name and its topic only: no formula, and no meaning that spells out the computation.
    assert "Recall at k" in question and "Retrieval metrics" in question
    assert "\\frac" not in question and "retrieved in the top k" not in question
    assert r"\[\mathrm{R@k} = \frac{|\mathrm{rel} \cap \mathrm{top}_k|}{|\mathrm{rel}|}\]" in answer
    assert '<details class="prep-hint"><summary>Worked example</summary>' in answer  # collapsed
    question, answer = cards["recall-at-k", "Formula to name"]
    # The formula without the left-hand side that names it.
    assert r"\[\frac{|\mathrm{rel} \cap \mathrm{top}_k|}{|\mathrm{rel}|}\]" in question and "R@k" not in question
    assert "Recall at k" in answer and r"\mathrm{R@k} =" in answer
    assert "<summary>Symbols</summary>" in answer and "<summary>Worked example</summary>" in answer


def test_drill_and_misconception_backs_answer_without_repeating_the_question(imported: Collection) -> None:
    cards = rendered(imported)
    question, answer = cards["drill-unlisted", "Drill"]
    assert "Attention weights are all nearly one-hot" in question and "The saturated softmax" in question
    # The back names the drill, gives the right choice, why and the fix; the wrong choices wait behind a link.
    assert "Attention weights are all nearly one-hot" not in answer and "The saturated softmax" in answer
    assert '<span class="prep-right">B.</span> The scores are not divided by' in answer
    assert "Unscaled dot products grow" in answer and "Divide the scores by" in answer
    hidden = re.search(
        r'<summary>Why not the others</summary><div class="prep-hint-body">(.*?)</div></details>',
        answer,
        re.S,
    )
    assert hidden and "The learning rate is too high." in hidden.group(1) and "It is the first step" in hidden.group(1)
    question, answer = cards["mis-attn", "Symptom to cause"]
    assert visible(question).count("?") == 1 and "What causes this?" in question and "fix" not in visible(question)
    assert "Work a small example by hand" in answer


def test_notes_sit_in_one_deck_with_hierarchical_tags(imported: Collection) -> None:
    decks = {imported.decks.name(imported.get_card(c).did) for c in imported.find_cards("")}
    assert decks == {"Fixture Course"}
    assert [d.name for d in imported.decks.all_names_and_ids()] == ["Default", "Fixture Course"]
    assert sorted(note_of(imported, "drill-listed").tags) == [
        "prep::area::retrieval",
        "prep::plan-a::week-01",
        "prep::plan-b::week-03",
        "prep::tier::2",
        "prep::topic::retrieval-metrics",
    ]
    assert sorted(note_of(imported, "extra-card").tags) == [
        "prep::area::transformers",
        "prep::tier::3",
        "prep::topic::extra-topic",
    ]


def test_a_filtered_deck_per_plan_week_holds_exactly_that_week(imported: Collection) -> None:
    homes = {c: imported.get_card(c).did for c in imported.find_cards("")}
    for week, expected in WEEKS.items():
        filtered = this_week(imported, week)
        cards = [imported.get_card(c) for c in imported.find_cards(f'deck:"This week {week}"')]
        assert {c.note()["Id"] for c in cards} == expected, week
        # New cards come in the order of the first plan ("Order due" sorts new cards by position).
        assert queue(imported, filtered) == [n for n in ROADMAP_ORDER if n in expected], week
        # Switching to another plan or week: removing the filtered deck sends every card home.
        imported.decks.remove([filtered])
        assert {c: imported.get_card(c).did for c in imported.find_cards("")} == homes


def import_with_dialog_defaults(col: Collection, apkg: Path) -> DeckId:
    """Import exactly as File > Import does by default (no presets, no progress); return the top deck's id."""
    log = import_package(col, apkg, with_scheduling=False)
    assert len(log.new) and not log.conflicting
    top = deck_id(col, "Fixture Course")
    assert col.decks.config_dict_for_deck_id(top)["name"] == "Default"
    return top


def set_limits(col: Collection, deck: DeckId, new: int, reviews: int) -> None:
    config = col.decks.config_dict_for_deck_id(deck)
    config["new"]["perDay"], config["rev"]["perDay"] = new, reviews
    col.decks.update_config(config)


def first_weeks(col: Collection, card_id: CardId) -> dict[str, int]:
    """Return, per plan, the first week whose tag the card's note carries."""
    found: dict[str, int] = {}
    for tag in sorted(col.get_card(card_id).note().tags):
        parts = tag.split("::")
        if parts[1] in PLANS:
            found.setdefault(parts[1], int(parts[2].removeprefix("week-")))
    return found


def test_default_import_serves_new_cards_in_every_plans_order(
    col: Collection, built: tuple[Course, DeckReport]
) -> None:
    top = import_with_dialog_defaults(col, built[1].path)
    set_limits(col, top, 9999, 9999)  # the whole queue at once, as the scheduler orders it
    col.decks.select(top)
    assert isinstance(col.sched, Scheduler)
    cards = [c.card.id for c in col.sched.get_queued_cards(fetch_limit=999).cards]
    assert len(cards) == 16
    notes = list(dict.fromkeys(col.get_card(c).note()["Id"] for c in cards))
    assert notes == ROADMAP_ORDER
    # Anki's default sort shows a day's new cards grouped by card type, so a second card (the reverse of a
    # term, a second deletion) comes after the first cards of that day; the notes' first cards never go back.
    firsts = [(col.get_card(c).nid, c) for c in cards if col.get_card(c).ord == 0]
    for plan in PLANS:
        weeks = [w[plan] for _, c in firsts if plan in (w := first_weeks(col, c))]
        assert weeks == sorted(weeks), plan


def test_studying_day_by_day_at_the_plans_pace_finishes_every_week_on_time(
    tmp_path: Path, built: tuple[Course, DeckReport]
) -> None:
    path = str(tmp_path / "learner.anki2")
    col = Collection(path)
    top = import_with_dialog_defaults(col, built[1].path)
    set_limits(col, top, built[1].new_per_day, 10 * built[1].new_per_day)  # as the README says to
    introduced: dict[CardId, int] = {}  # card id -> day it was first shown
    for day in range(1, 22):
        col.decks.select(top)
        while (card := col.sched.getCard()) is not None:
            introduced.setdefault(card.id, day)
            card.start_timer()
            col.sched.answerCard(card, 4)  # Easy: out of today's queue
        col.crt -= 86400  # tomorrow
        col.close()
        col = Collection(path)
    try:
        assert len(introduced) == 16
        for plan, weeks in (("plan-a", 2), ("plan-b", 3)):
            days = {c: (introduced[c], first_weeks(col, c)[plan]) for c in introduced if plan in first_weeks(col, c)}
            for day, week in days.values():
                assert day <= 7 * week, f"{plan}: a card of week {week} first shown on day {day}"
            # Across days the weeks never go back: no card of a later week on an earlier day.
            for day, week in days.values():
                assert all(w <= week for d, w in days.values() if d < day), plan
            assert max(week for _, week in days.values()) == weeks
    finally:
        col.close()


def test_preset_sets_a_pace_that_finishes_the_shortest_plan(col: Collection, built: tuple[Course, DeckReport]) -> None:
    import_package(col, built[1].path, with_deck_configs=True)
    top = deck_id(col, "Fixture Course")
    config = col.decks.config_dict_for_deck_id(top)
    assert config["name"] == "Fixture Course: study plan"
    per_week: Counter[tuple[str, int]] = Counter()
    for card in col.find_cards(""):
        for plan, week in first_weeks(col, card).items():
            per_week[plan, week] += 1
    busiest = max(per_week.values())
    assert busiest == 11 and config["new"]["perDay"] >= -(-busiest // 6) == PACE
    assert config["rev"]["perDay"] >= 10 * config["new"]["perDay"]  # reviews never hold back new cards
    assert queue(col, top) == ROADMAP_ORDER[:PACE]


@pytest.fixture(scope="module")
def default_deck(tmp_path_factory: pytest.TempPathFactory) -> tuple[KnowledgeBase, DeckReport]:
    """Build the default course's deck once, for the tests that study it."""
    out = tmp_path_factory.mktemp("default")
    kb = load_file(DEFAULT_SOURCE).kb
    return kb, build_deck(kb, out, stamps_path=out / "knowledge.stamps.json")


def plan_weeks(col: Collection, root: str, plan: str) -> dict[CardId, int]:
    """Return, for every card a plan covers, the first week of that plan whose tag its note carries."""
    found: dict[CardId, int] = {}
    prefix = f"{root}::{plan}::week-"
    for card_id in col.find_cards(""):
        weeks = [int(t.removeprefix(prefix)) for t in col.get_card(card_id).note().tags if t.startswith(prefix)]
        if weeks:
            found[card_id] = min(weeks)
    return found


def study_days(path: Path, deck: str, days: int, skipped: set[int]) -> dict[CardId, int]:
    """Study a deck day after day as a learner does, answering Good; return the day each card was first shown.

    Each day the collection is reopened one day later (its creation time moved back a day), so Anki rolls the day
    over as it does overnight: limits reset, buried cards come back. Skipped days pass with nothing studied.
    """
    introduced: dict[CardId, int] = {}
    for day in range(1, days + 1):
        col = Collection(str(path))
        try:
            assert col.db is not None and isinstance(col.sched, Scheduler)
            col.db.execute("PRAGMA synchronous = OFF")  # a scratch collection: no need to wait for the disk
            assert col.sched.today == day - 1
            col.decks.select(deck_id(col, deck))
            while day not in skipped and (queued := col.sched.get_queued_cards(fetch_limit=1).cards):
                card = col.get_card(queued[0].card.id)
                introduced.setdefault(card.id, day)
                card.start_timer()
                col.sched.answerCard(card, 3)
            col.crt -= 86400  # tomorrow
        finally:
            col.close()
    return introduced


@pytest.mark.parametrize("plan", ["four-week", "eight-week"])
def test_the_imported_preset_keeps_every_week_in_order_across_days_with_a_day_a_week_to_spare(
    tmp_path: Path, default_deck: tuple[KnowledgeBase, DeckReport], plan: str
) -> None:
    kb, report = default_deck
    roadmap = next(r for r in kb.roadmaps if r.id == plan)
    pace = next(p for p in paces(kb, roadmap_order(kb)) if p.roadmap.id == plan)
    path = tmp_path / "learner.anki2"
    col = Collection(str(path))
    try:
        import_package(col, report.path, with_deck_configs=True, with_scheduling=False)  # "Import deck presets"
        top = deck_id(col, kb.meta.deck)
        config = col.decks.config_dict_for_deck_id(top)
        assert config["name"] == f"{kb.meta.deck}: study plan"
        assert not config["new"]["bury"] and not config["rev"]["bury"] and not config["buryInterdayLearning"]
        assert config["new"]["perDay"] >= pace.new_per_day and config["rev"]["perDay"] >= 10 * pace.new_per_day
        set_limits(col, top, pace.new_per_day, config["rev"]["perDay"])  # the plan's figure, as the docs say
        weeks = {p: plan_weeks(col, tag_root(kb), p) for p in (r.id for r in kb.roadmaps)}
    finally:
        col.close()
    # One day of every week missed (a different weekday each week): the spare day absorbs it.
    length = len(roadmap.weeks)
    introduced = study_days(path, kb.meta.deck, 7 * length, {7 * w + 1 + w % 7 for w in range(length)})
    for card, week in weeks[plan].items():
        assert introduced.get(card, 99999) <= 7 * week, f"{plan}: a card of week {week} is late"
    # Across days no plan's weeks go back: a later week's card never comes on a day before an earlier week's.
    for other, of_card in weeks.items():
        first: dict[int, int] = {}
        last: dict[int, int] = {}
        for card, week in of_card.items():
            day = introduced.get(card, 99999)
            first[week], last[week] = min(first.get(week, day), day), max(last.get(week, 0), day)
        for week in sorted(first)[1:]:
            assert max(last[w] for w in first if w < week) <= first[week], f"{other}: week {week} before its time"


def test_filtered_deck_recipe_serves_one_days_new_cards_of_the_week(imported: Collection) -> None:
    filtered = this_week(imported, "plan-a::week-01", limit=PACE)
    assert queue(imported, filtered) == ROADMAP_ORDER[:PACE]  # one day's new cards, in roadmap order
    assert len(imported.find_cards('deck:"This week plan-a::week-01"')) == PACE


def test_check_warns_when_two_plans_order_items_differently(tmp_path: Path) -> None:
    course = copy_course(tmp_path / "course")
    assert not [w for w in load_file(course.source).warnings if "one deck order" in w.message]
    # plan-b now teaches retrieval first, plan-a teaches attention first.
    first, last = "topics: [attention]\n        proof:\n          title: Attention", "topics: [retrieval-metrics]"
    text = course.source.read_text(encoding="utf-8")
    plan_b = text.index("  - id: plan-b")
    text = text[:plan_b] + text[plan_b:].replace(first, "@1", 1).replace(last, "@2", 1)
    text = text.replace("@1", first.replace("attention]", "retrieval-metrics]")).replace("@2", "topics: [attention]")
    course.source.write_text(text, encoding="utf-8")
    loaded = load_file(course.source)
    warnings = [str(w) for w in loaded.warnings if "one deck order" in w.message]
    # The deck still holds every note once, in the first plan's order.
    order = roadmap_order(loaded.kb)
    assert sorted(p.key[1] for p in order) == sorted(ROADMAP_ORDER)
    weeks = [p.weeks["plan-a"] for p in order if "plan-a" in p.weeks]
    assert weeks == sorted(weeks)
    assert len(warnings) == 1
    assert re.search(
        r"course\.yaml:\d+:\d+: warning: roadmaps\[1\]\.weeks\[0\]\.topics\[0\]: roadmap 'plan-b' teaches topic "
        r"'retrieval-metrics' in week 1, before 'attention', which roadmap 'plan-a' "
        r"teaches first; one deck order cannot follow both, so new cards follow 'plan-a'",
        warnings[0],
    ), warnings[0]


# The import dialog's "Import any learning progress" box: the package has none, and either way nothing is lost.
@pytest.mark.parametrize("with_scheduling", [True, False], ids=["with-progress", "without-progress"])
def test_rebuild_and_reimport_keeps_history_and_user_edits(
    tmp_path: Path, col: Collection, monkeypatch: pytest.MonkeyPatch, with_scheduling: bool
) -> None:
    course = copy_course(tmp_path / "course")
    first = build_at(course, tmp_path / "v1", T0)
    import_package(col, first.path, with_scheduling=with_scheduling)
    study(col, "Fixture Course", 3)
    learner = note_of(col, "attn-query")
    learner["Meaning"] = "My own words."
    col.update_note(learner)
    borrowed = this_week(col, "plan-b::week-01")  # re-importing while a filtered deck holds cards
    before = history(col)
    assert len(before[0]) == 3

    # The author fixes a text, adds a card and changes a template and the stylesheet.
    course.edit("The share of relevant documents found", "The share of the relevant documents that appear")
    course.edit(
        "  - id: hnsw\n",
        "  - id: mrr\n    title: MRR\n    tier: 2\n    area: retrieval\n    summary: Mean reciprocal rank.\n"
        "    cards:\n      - id: mrr-card\n        question: What does MRR average?\n"
        "        answer: The reciprocal rank of the first relevant result.\n  - id: hnsw\n",
    )
    basic = NOTE_TYPES["basic"]
    changed = Template(basic.templates[0].name, basic.templates[0].front + "<p>Layout v2</p>", basic.templates[0].back)
    monkeypatch.setitem(NOTE_TYPES, "basic", replace(basic, templates=(changed,)))
    monkeypatch.setattr(notetypes, "CSS", notetypes.CSS + ".prep-v2 { color: red; }\n")
    second = build_at(course, tmp_path / "v2", T1)
    assert second.lines()[-2:] == [
        "  since the last build: 1 new, 1 changed, 0 removed notes",
        "    changed basic:recall-question: text",
    ]

    log = import_package(col, second.path, with_scheduling=with_scheduling)
    assert (len(log.new), len(log.updated), len(log.conflicting)) == (1, 1, 0)
    ids = [col.get_note(n)["Id"] for n in col.find_notes("")]
    assert sorted(ids) == sorted([*ROADMAP_ORDER, "mrr-card"])  # no duplicates
    assert "that appear in the top k" in note_of(col, "recall-question")["Answer"]
    assert col.decks.name(note_of(col, "mrr-card").cards()[0].did) == "Fixture Course"
    assert note_of(col, "attn-query")["Meaning"] == "My own words."
    cards = rendered(col)
    assert "<p>Layout v2</p>" in cards["hnsw-layers", "Question"][0]
    misconception = col.models.by_name("Fixture Course: Misconception")
    assert misconception is not None and ".prep-v2" in misconception["css"]
    assert set(col.find_cards(f"did:{borrowed}")) == {c[0] for c in before[1] if c[2] == borrowed}
    revlog, states = history(col)
    assert revlog == before[0]
    assert [s for s in states if s[0] in {b[0] for b in before[1]}] == before[1]


def test_untouched_rebuild_is_byte_identical_and_imports_nothing(
    tmp_path: Path, col: Collection, built: tuple[Course, DeckReport]
) -> None:
    course, first = built
    stamps = course.stamps.read_bytes()
    again = course.build(tmp_path / "again")  # now, without SOURCE_DATE_EPOCH: the stamps decide
    assert again.path.read_bytes() == first.path.read_bytes()
    assert course.stamps.read_bytes() == stamps
    import_package(col, first.path)
    log = import_package(col, again.path)
    assert (len(log.new), len(log.updated), len(log.conflicting)) == (0, 0, 0)


def test_builds_from_scratch_are_byte_identical_under_source_date_epoch(tmp_path: Path) -> None:
    one = build_at(copy_course(tmp_path / "one"), tmp_path / "out1", T0)
    two = build_at(copy_course(tmp_path / "two"), tmp_path / "out2", T0)
    assert one.path.read_bytes() == two.path.read_bytes()
    with zipfile.ZipFile(one.path) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_reordering_the_source_changes_no_note(tmp_path: Path, col: Collection) -> None:
    course = copy_course(tmp_path / "course")
    first = build_at(course, tmp_path / "v1", T0)
    text = course.source.read_text(encoding="utf-8")
    start, end = text.index("  - id: attention\n"), text.index("  - id: retrieval-metrics\n")
    moved = (
        text[:start] + text[end : text.index("  - id: hnsw\n")] + text[start:end] + text[text.index("  - id: hnsw\n") :]
    )
    course.source.write_text(moved, encoding="utf-8")
    second = build_at(course, tmp_path / "v2", T1)
    assert second.lines()[-1] == "  since the last build: 0 new, 0 changed, 0 removed notes"
    import_package(col, first.path)
    log = import_package(col, second.path)
    assert (len(log.new), len(log.updated), col.note_count()) == (0, 0, 12)


def test_an_edit_built_at_the_same_source_date_epoch_still_arrives(tmp_path: Path, col: Collection) -> None:
    course = copy_course(tmp_path / "course")
    import_package(col, build_at(course, tmp_path / "v1", T0).path)
    course.edit("Why does HNSW have layers?", "Why does an HNSW index have layers?")
    log = import_package(col, build_at(course, tmp_path / "v2", T0).path)
    assert len(log.updated) == 1
    assert note_of(col, "hnsw-layers").mod == T0 + 1


def test_image_is_packed_and_referenced(imported: Collection) -> None:
    answer = rendered(imported)["attn-query", "Term to meaning"][1]
    (name,) = re.findall(r'<img src="([^"]+)"', answer)
    assert (Path(imported.media.dir()) / name).read_bytes() == (FIXTURE / "img" / "query.png").read_bytes()


def test_changed_image_travels_with_its_note(tmp_path: Path, col: Collection) -> None:
    course = copy_course(tmp_path / "course")
    import_package(col, build_at(course, tmp_path / "v1", T0).path)
    image = course.folder / "img" / "query.png"
    image.write_bytes(image.read_bytes() + b"\0")
    report = build_at(course, tmp_path / "v2", T1)
    assert report.lines()[-2:] == [
        "  since the last build: 0 new, 1 changed, 0 removed notes",
        "    changed reversible:attn-query: text",
    ]
    log = import_package(col, report.path)
    assert len(log.updated) == 1
    (name,) = re.findall(r'<img src="([^"]+)"', note_of(col, "attn-query")["Image"])
    assert (Path(col.media.dir()) / name).read_bytes() == image.read_bytes()


def test_image_deleted_after_loading_fails_and_the_last_output_survives(tmp_path: Path) -> None:
    course = copy_course(tmp_path / "course")
    report = build_at(course, tmp_path / "out", T0)
    # The loader checks every image once; a file deleted between loading and building still fails cleanly.
    kb = load_file(course.source).kb
    image = next(c.image for t in kb.topics for c in t.cards if c.image)
    (kb.root / image).unlink()
    package, stamps = report.path.read_bytes(), course.stamps.read_bytes()
    with pytest.raises(FileNotFoundError):
        build_deck(kb, report.path.parent, stamps_path=course.stamps)
    assert report.path.read_bytes() == package and course.stamps.read_bytes() == stamps
    assert [p.name for p in report.path.parent.iterdir()] == [report.path.name]  # no temporary file left behind


def test_a_changed_field_list_gets_a_new_note_type_id_and_the_documented_migration_keeps_history(
    tmp_path: Path, col: Collection, monkeypatch: pytest.MonkeyPatch
) -> None:
    course = copy_course(tmp_path / "course")
    first = build_at(course, tmp_path / "v1", T0)
    import_package(col, first.path, with_scheduling=False)
    study(col, "Fixture Course", 12)  # the misconception is among them
    assert note_of(col, "mis-attn").cards()[0].reps == 1
    before = history(col)
    old_id = note_of(col, "mis-attn").mid

    mistake = NOTE_TYPES["misconception"]
    monkeypatch.setitem(NOTE_TYPES, "misconception", replace(mistake, fields=(*mistake.fields, "Example")))
    report = build_at(course, tmp_path / "v2", T1)
    new_id = json.loads(course.stamps.read_text(encoding="utf-8"))["note_types"]["misconception"]["id"]
    assert new_id != old_id and report.renewed == (f"Fixture Course: Misconception (id {old_id} -> {new_id})",)
    assert "  since the last build: 0 new, 1 changed, 0 removed notes" in report.lines()
    assert report.lines()[-1].startswith("  note type Fixture Course: Misconception (id ")

    # As docs/anki.md says: the old note stays under its old type, reported as conflicting ...
    log = import_package(col, report.path, with_scheduling=False)
    assert (len(log.new), len(log.updated), len(log.conflicting)) == (0, 0, 1)
    # ... until the learner changes its note type to the new one (fields mapped by name) ...
    new_type = col.models.get(new_id)
    assert new_type is not None and new_type["name"] == "Fixture Course: Misconception+"
    request = col.models.change_notetype_info(old_notetype_id=old_id, new_notetype_id=new_id).input
    request.note_ids.extend(col.find_notes('note:"Fixture Course: Misconception"'))
    col.models.change_notetype_of_notes(request)
    # ... and imports once more with "Update notes: Always".
    always = IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_ALWAYS
    log = import_package(col, report.path, with_scheduling=False, update_notes=always)
    assert (len(log.new), len(log.conflicting)) == (0, 0)
    note = note_of(col, "mis-attn")
    assert note.mid == new_id and "memorised without their purpose" in note["Cause"]
    revlog, states = history(col)
    assert revlog == before[0] and col.note_count() == 12
    assert [s[4:] for s in states] == [s[4:] for s in before[1]]  # every card keeps its schedule


def test_unreadable_stamps_file_is_reported(tmp_path: Path) -> None:
    course = copy_course(tmp_path / "course")
    course.stamps.write_text('{\n<<<<<<< HEAD\n  "format": 1,\n', encoding="utf-8")
    with pytest.raises(StampsError, match=r"course\.stamps\.json: cannot read the stamps file"):
        course.build(tmp_path / "out")
    assert not (tmp_path / "out" / "deck-fixture.apkg").exists()


def test_stamps_file_lists_one_note_per_line(built: tuple[Course, DeckReport]) -> None:
    course, _ = built
    text = course.stamps.read_text(encoding="utf-8")
    stamps = json.loads(text)
    assert set(stamps["notes"]) == {
        *(f"basic:{n}" for n in ("attn-scale", "recall-question", "hnsw-layers", "extra-card")),
        "reversible:attn-query",
        "cloze:attn-cloze",
        "cloze:attn-frac",
        "formula:softmax",
        "formula:recall-at-k",
        "drill:drill-listed",
        "drill:drill-unlisted",
        "misconception:mis-attn",
    }
    assert stamps["notes"]["basic:attn-scale"]["mod"] == T0
    assert sum(1 for line in text.splitlines() if '"hash"' in line) == 12 + 6
    assert stamps["course"] == {"deck": 1900000100001, "id": "deck-fixture"}


def test_cards_need_no_javascript_and_follow_night_mode(imported: Collection) -> None:
    for model in imported.models.all():
        if model["name"].startswith("Fixture Course"):
            assert ".nightMode" in model["css"] and ".night_mode" in model["css"]
            assert all("<script" not in t["qfmt"] + t["afmt"] for t in model["tmpls"])


def test_package_holds_a_schema_11_collection_anki_can_open(built: tuple[Course, DeckReport], tmp_path: Path) -> None:
    with zipfile.ZipFile(built[1].path) as archive:
        assert archive.namelist() == ["collection.anki2", "media", "0"]
        (tmp_path / "c.anki2").write_bytes(archive.read("collection.anki2"))
        media = json.loads(archive.read("media"))
        assert list(media) == ["0"] and re.fullmatch(r"query-[0-9a-f]{12}\.png", media["0"])
        assert archive.read("0") == (FIXTURE / "img" / "query.png").read_bytes()
    connection = sqlite3.connect(tmp_path / "c.anki2")
    try:
        assert connection.execute("SELECT ver FROM col").fetchone() == (11,)
        assert connection.execute("SELECT count(*), count(DISTINCT guid) FROM notes").fetchone() == (12, 12)
    finally:
        connection.close()


def test_default_source_builds_and_every_card_renders(tmp_path: Path, col: Collection) -> None:
    report = build_deck(load_file(DEFAULT_SOURCE).kb, tmp_path, stamps_path=tmp_path / "knowledge.stamps.json")
    log = import_package(col, report.path)
    assert (len(log.new), len(log.conflicting)) == (report.notes, 0)
    cards = rendered(col)
    assert len(col.find_cards("")) == report.cards
    for (source_id, name), (question, answer) in cards.items():
        assert visible(question), f"{source_id} {name}: empty question"
        assert visible(answer) not in ("", visible(question)), f"{source_id} {name}: the answer shows nothing new"
        assert not re.search(r"\{\{.*?\}\}", question + answer), f"{source_id} {name}: template syntax left"
        if re.fullmatch(r"c\d+", name):
            assert '<span class="cloze" data-cloze=' in question, f"{source_id} {name}: no deletion hidden"
            assert '<span class="cloze" data-ordinal=' in answer, f"{source_id} {name}: no deletion shown"
        assert "Workbook</span>" in answer and "Workbook</span>" not in question, f"{source_id} {name}"
    kb = load_file(DEFAULT_SOURCE).kb
    for formula in kb.formulas:
        name = html.escape(formula.name, quote=False)
        by_name, by_formula = cards[formula.id, "Name to formula"][0], cards[formula.id, "Formula to name"][0]
        assert html.escape(formula.latex, quote=False) not in by_name and "\\[" not in by_name, formula.id
        assert html.escape(formula.latex, quote=False) not in by_formula, f"{formula.id}: the whole formula"
        words = {name, *re.findall(r"\(([^)]+)\)", formula.name)}  # and an abbreviation like (MRR)
        assert not [w for w in words if w.lower() in by_formula.lower()], f"{formula.id}: front names it"
    assert len(kb.formulas) >= 20

    # The preset shipped with the deck (read from the package) finishes the shortest plan on time.
    with zipfile.ZipFile(report.path) as archive:
        (tmp_path / "package.anki2").write_bytes(archive.read("collection.anki2"))
    connection = sqlite3.connect(tmp_path / "package.anki2")
    try:
        preset = json.loads(connection.execute("SELECT dconf FROM col").fetchone()[0])[str(kb.meta.anki.deck)]
    finally:
        connection.close()
    shortest = min(kb.roadmaps, key=lambda r: len(r.weeks))
    per_week: Counter[int] = Counter()
    for card_id in col.find_cards(""):
        weeks = [int(t.rsplit("-", 1)[1]) for t in col.get_card(card_id).note().tags if f"::{shortest.id}::" in t]
        per_week[min(weeks)] += 1
    assert preset["new"]["perDay"] * 6 >= max(per_week.values())
    assert preset["rev"]["perDay"] >= 10 * preset["new"]["perDay"]

    # Day 1 as a learner lives it: the dialog's defaults, the pace the README gives, Anki's own scheduler.
    top = deck_id(col, kb.meta.deck)
    assert col.decks.config_dict_for_deck_id(top)["name"] == "Default"
    set_limits(col, top, report.new_per_day, 10 * report.new_per_day)
    col.decks.select(top)
    shown = []
    while (card := col.sched.getCard()) is not None:
        shown.append(card.id)
        card.start_timer()
        col.sched.answerCard(card, 3)
    new = list(dict.fromkeys(shown))
    assert len(new) == report.new_per_day
    for card_id in new:
        tags = col.get_card(card_id).note().tags
        assert {"prep::four-week::week-01", "prep::eight-week::week-01"} <= set(tags), tags


def test_readme_and_docs_give_each_plans_pace() -> None:
    kb = load_file(DEFAULT_SOURCE).kb
    root = DEFAULT_SOURCE.parents[1]
    for plan in paces(kb, roadmap_order(kb)):
        row = f"| {plan.roadmap.title} | {plan.new_per_day} | {plan.reviews_per_day} |"
        for doc in ("README.md", "docs/anki.md"):
            assert row in (root / doc).read_text(encoding="utf-8"), f"{doc}: {row}"


@pytest.mark.parametrize(
    ("latex", "shown"),
    [
        (r"\operatorname{MRR} = \frac{1}{|Q|}", r"\frac{1}{|Q|}"),
        (r"\text{pass@}k \approx 1 - p", "1 - p"),
        (r"f(x = 1) = y", "y"),  # a relation inside brackets is not the top-level one
        (r"\theta_{t+1} = \theta_t - \eta g", r"\theta_t - \eta g"),
        # A chain keeps only its last side: every other one is another name of the same thing.
        (r"d = \lVert a - b \rVert_2 = \sqrt{s}", r"\sqrt{s}"),
        (r"x := y \approx z", "z"),
        (r"f(x = 1) = y = g(x = 2)", "g(x = 2)"),
        (r"A = B =", "B ="),  # nothing after the last: the one before it splits
        (r"C \propto N", "N"),
        (r"\sum_{i=1}^{n} x_i", r"\sum_{i=1}^{n} x_i"),  # no relation: shown whole
        (r"= x", "= x"),  # nothing on the left: shown whole
        (
            r"\begin{aligned} A &= x \\ \text{B} &= \frac{A}{2} \end{aligned}",
            r"\begin{aligned} x \\ \frac{A}{2} \end{aligned}",
        ),
        (
            r"\begin{aligned} A &= B = x \\ &= y \end{aligned}",
            r"\begin{aligned} x \\ &= y \end{aligned}",
        ),
    ],
)
def test_a_formula_to_name_front_drops_the_left_hand_side(latex: str, shown: str) -> None:
    assert right_hand_side(latex) == shown


def test_a_formulas_own_expression_is_what_its_formula_to_name_card_asks_with(tmp_path: Path, col: Collection) -> None:
    course = copy_course(tmp_path / "course")
    course.edit(
        "    example: Scores 0 and \\(\\ln 3\\) become weights 0.25 and 0.75.\n",
        "    example: Scores 0 and \\(\\ln 3\\) become weights 0.25 and 0.75.\n"
        "    expression: e^{z_i} \\Big/ \\sum_j e^{z_j}\n",
    )
    report = course.build(tmp_path / "out", now=T0)
    import_package(col, report.path)
    cards = rendered(col)
    question, answer = cards["softmax", "Formula to name"]
    assert r"\[e^{z_i} \Big/ \sum_j e^{z_j}\]" in question and r"\frac" not in question
    assert r"\[\operatorname{softmax}(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}}\]" in answer  # the whole formula
    assert r"\[\operatorname{softmax}" in cards["softmax", "Name to formula"][1]
    # The other formula still asks with its right-hand side.
    assert (
        r"\[\frac{|\mathrm{rel} \cap \mathrm{top}_k|}{|\mathrm{rel}|}\]" in cards["recall-at-k", "Formula to name"][0]
    )
    # Checked like every formula: broken LaTeX is an error with its line.
    course.edit(r"expression: e^{z_i} \Big/ \sum_j e^{z_j}", r"expression: \frac{e^{z_i}")
    with pytest.raises(SourceError) as caught:
        load_file(course.source)
    assert [p.line for p in caught.value.problems] == [
        course.source.read_text(encoding="utf-8").splitlines().index(r"    expression: \frac{e^{z_i}") + 1
    ]


#: Words too common to give a formula's name away.
_COMMON = {"and", "the", "per", "for", "with", "of", "at", "in", "on", "to", "by", "a", "an"}


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _names_it(text: str, name: str, abbreviations: set[str]) -> bool:
    """Return whether a text names a formula: its name, an abbreviation, or most of its words (two or more) in a row.

    "the discounted cumulative gain of ..." names nDCG; "every query-key dot product" does not name scaled
    dot-product attention.
    """
    words = " " + " ".join(_words(text)) + " "
    if any(f" {' '.join(_words(a))} " in words for a in abbreviations | {name}):
        return True
    said = _words(name)
    weight = [w not in _COMMON and len(w) > 1 for w in said]
    return any(
        f" {' '.join(said[i:j])} " in words
        for i in range(len(said))
        for j in range(i + 1, len(said) + 1)
        if sum(weight[i:j]) >= 2 and 2 * sum(weight[i:j]) > sum(weight)
    )


def test_no_formula_to_name_front_of_the_default_course_gives_the_name_away(
    tmp_path: Path, col: Collection, default_deck: tuple[KnowledgeBase, DeckReport]
) -> None:
    kb, report = default_deck
    import_package(col, report.path)
    cards = rendered(col)
    for formula in kb.formulas:
        shown = html.unescape(re.findall(r"\\\[(.*?)\\\]", cards[formula.id, "Formula to name"][0], re.DOTALL)[0])
        assert shown == (formula.expression or right_hand_side(formula.latex)), formula.id
        # The name, its abbreviations in brackets, and the name without them.
        abbreviations = set(re.findall(r"\(([^)]+)\)", formula.name))
        plain_name = re.sub(r"\s*\([^)]*\)", "", formula.name)
        text = re.sub(r"\\[A-Za-z]+", " ", shown)  # LaTeX commands are no words of the formula's
        assert not _names_it(text, plain_name, abbreviations), f"{formula.id}: the front names it: {shown}"
        id_words = {w for w in formula.id.split("-") if len(w) > 2 and w not in _COMMON}
        assert not id_words & set(_words(text)), f"{formula.id}: the front holds a word of its id: {shown}"
        for symbol in formula.symbols:
            if _names_it(symbol.meaning, plain_name, abbreviations):
                alone = r"(?<![A-Za-z\\])" + re.escape(" ".join(symbol.symbol.split())) + "(?![A-Za-z])"
                assert not re.search(alone, " ".join(shown.split())), (
                    f"{formula.id}: the front shows {symbol.symbol}, which stands for the formula's name"
                )


def test_learners_with_area_subdecks_keep_everything_and_get_roadmap_order_back(
    tmp_path: Path, col: Collection
) -> None:
    course = copy_course(tmp_path / "course")
    import_package(col, build_at(course, tmp_path / "v1", T0).path, with_scheduling=False)
    # The layout of earlier versions: a subdeck per area.
    for area, title in (("transformers", "Transformer architecture"), ("retrieval", "Retrieval and RAG")):
        subdeck = col.decks.id(f"Fixture Course::{title}")
        assert subdeck is not None
        col.set_deck(col.find_cards(f"tag:prep::area::{area}"), subdeck)
    study(col, "Fixture Course", 3)
    before = history(col)

    course.edit("Why does HNSW have layers?", "Why does an HNSW index have layers?")
    log = import_package(col, build_at(course, tmp_path / "v2", T1).path, with_scheduling=False)
    assert (len(log.new), len(log.updated), len(log.conflicting), col.note_count()) == (0, 1, 0, 12)
    assert history(col) == before  # nothing moved, nothing lost

    # docs/anki.md: Browse, search the top deck, select all, Change Deck to it; delete the empty subdecks.
    top = deck_id(col, "Fixture Course")
    col.set_deck(col.find_cards('deck:"Fixture Course"'), top)
    col.decks.remove([DeckId(d.id) for d in col.decks.all_names_and_ids() if d.name.startswith("Fixture Course::")])
    assert [d.name for d in col.decks.all_names_and_ids()] == ["Default", "Fixture Course"]
    revlog, states = history(col)
    assert revlog == before[0] and [s[:2] + s[3:] for s in states] == [s[:2] + s[3:] for s in before[1]]
    set_limits(col, top, 9999, 9999)
    studied = {col.get_card(c).note()["Id"] for c in col.find_cards("-is:new")}
    assert studied and [n for n in queue(col, top) if n not in studied] == [
        n for n in ROADMAP_ORDER if n not in studied
    ]


def test_a_drill_a_week_lists_comes_the_day_its_topic_is_read(tmp_path: Path) -> None:
    course = copy_course(tmp_path / "course")
    # plan-a's week 1 lists a drill on another week's topic first, then one on its own topic (attention).
    course.edit("        drills: [drill-listed]\n", "        drills: [drill-listed, drill-unlisted]\n")
    keys = [p.key[1] for p in roadmap_order(load_file(course.source).kb)]
    # As the workbook's day plan has it: the attention drill with attention, the other at the end of the week.
    assert keys.index("mis-attn") + 1 == keys.index("drill-unlisted") < keys.index("drill-listed")


def test_cards_of_a_right_to_left_course_read_right_to_left(tmp_path: Path, col: Collection) -> None:
    # An Arabic course: its cards declare their language and direction, so Anki sets the question right to left
    # with its question mark at the end, on the left; an English course's cards stay left to right.
    course = copy_course(tmp_path / "course")
    course.edit("  tag_root: prep\n", "  tag_root: prep\n  language: ar\n")
    course.edit("question: What does recall@k measure?", "question: ماذا يقيس الاستدعاء؟")
    import_package(col, course.build(tmp_path / "out", now=T0).path)
    question, answer = rendered(col)["recall-question", "Question"]
    for side in (question, answer):
        assert re.search(r'<div class="prep prep-basic" lang="ar" dir="rtl">.*ماذا يقيس', side, re.DOTALL)


def test_cards_declare_the_course_language(imported: Collection) -> None:
    question, answer = rendered(imported)["recall-question", "Question"]
    assert '<div class="prep prep-basic" lang="en" dir="ltr">' in question
    assert '<hr id="answer"><div class="prep prep-basic" lang="en" dir="ltr">' in answer


def test_an_image_media_name_keeps_its_name_and_fits_any_file_system() -> None:
    data = b"\x89PNG\r\n\x1a\n image bytes"
    short = media_name(Path("img/Attention map.PNG"), data)
    assert short.startswith("Attention-map-") and short.endswith(".png") and len(short) == len("Attention-map-") + 16
    long = media_name(Path("img/" + "a" * 240 + "." + "x" * 12), data)
    assert len(long) <= 120 and long == f"{'a' * 80}-{long.split('-')[-1].split('.')[0]}.{'x' * 8}"
    assert media_name(Path("img/ü.png"), data).startswith("image-")
