"""The knowledge base as plain, immutable, typed objects.

The loader builds these from YAML after validating everything; renderers trust them and never re-check.
Field names are the YAML keys. `Annotated` metadata tells the loader (and the JSON Schema generator)
what a string means: markup text, LaTeX, an id, or a reference to another item's id.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal, Protocol, TypeVar


@dataclass(frozen=True)
class Kind:
    """Marks a string field's meaning for validation and the schema."""

    name: Literal["id", "markup", "latex", "media", "font", "plain"]


@dataclass(frozen=True)
class Ref:
    """Marks a string field as a reference to the id of an item of the named collection."""

    target: Literal["topics", "formulas", "drills", "references", "areas"]


@dataclass(frozen=True)
class Range:
    """Bounds an integer field (inclusive)."""

    low: int
    high: int


@dataclass(frozen=True)
class MinItems:
    """Requires a list to hold at least this many items."""

    count: int


@dataclass(frozen=True)
class Doc:
    """One-line description of a field, shown in the JSON Schema and in editors."""

    text: str


Id = Annotated[str, Kind("id")]
Markup = Annotated[str, Kind("markup")]
Latex = Annotated[str, Kind("latex")]
Plain = Annotated[str, Kind("plain")]
Media = Annotated[str, Kind("media")]
FontFile = Annotated[str, Kind("font")]
AnkiId = Annotated[int, Range(1 << 30, (1 << 63) - 1), Doc("a fixed numeric id; never change it once published")]


@dataclass(frozen=True)
class AnkiIds:
    """Stable numeric ids Anki matches on: the top deck and one per note type."""

    deck: AnkiId
    basic: AnkiId
    reversible: AnkiId
    cloze: AnkiId
    formula: AnkiId
    drill: AnkiId
    misconception: AnkiId


@dataclass(frozen=True)
class Fonts:
    """TrueType files for the workbook, relative to the source file; each one left out stays DejaVu."""

    regular: FontFile = ""
    bold: FontFile = ""
    italic: FontFile = ""
    bold_italic: FontFile = ""
    mono: FontFile = ""


@dataclass(frozen=True)
class Meta:
    """Title, authorship and the names outputs are written under."""

    id: Annotated[Id, Doc("file stem of the outputs, e.g. ml-interview-prep")]
    title: Plain
    author: Plain
    deck: Annotated[Plain, Doc("name of the top Anki deck; renaming it makes a new deck in Anki")]
    anki: AnkiIds
    subtitle: Plain = ""
    description: Markup = ""
    language: Annotated[Plain, Doc("BCP 47 language tag")] = "en"
    tag_root: Annotated[str, Kind("id"), Doc("root of every Anki tag (default: meta.id)")] = ""
    fonts: Annotated[Fonts, Doc("TrueType fonts for the workbook, e.g. ones with CJK glyphs")] = Fonts()


@dataclass(frozen=True)
class Area:
    """A subject area; topics belong to one, and it becomes a tag in Anki."""

    id: Id
    title: Plain


ImageSide = Annotated[Literal["question", "answer"], Doc("the card side that shows the image")]
ImageAlt = Annotated[Plain, Doc("what the image shows, for readers who cannot see it")]


@dataclass(frozen=True)
class BasicCard:
    """A question with one short answer."""

    id: Id
    question: Markup
    answer: Markup
    extra: Annotated[Markup, Doc("shown below the answer")] = ""
    image: Annotated[Media, Doc("image path relative to the source file")] = ""
    image_side: ImageSide = "answer"
    image_alt: ImageAlt = ""


@dataclass(frozen=True)
class ReversibleCard:
    """A term and its meaning, asked in both directions."""

    id: Id
    term: Markup
    meaning: Markup
    extra: Markup = ""
    image: Media = ""
    image_side: ImageSide = "answer"
    image_alt: ImageAlt = ""


@dataclass(frozen=True)
class ClozeCard:
    """A sentence with {{c1::deletions}}; each number becomes one card."""

    id: Id
    cloze: Markup
    extra: Markup = ""
    image: Media = ""
    image_side: ImageSide = "answer"
    image_alt: ImageAlt = ""


Card = BasicCard | ReversibleCard | ClozeCard

#: The key whose presence says which kind of card a mapping is.
CARD_MARKERS: dict[type, str] = {BasicCard: "question", ReversibleCard: "term", ClozeCard: "cloze"}


@dataclass(frozen=True)
class Topic:
    """One thing to learn: a summary, key points and the cards that drill it."""

    id: Id
    title: Plain
    tier: Annotated[int, Range(1, 99), Doc("1 to the number of labels.tiers (by default 1 core to 3 advanced)")]
    area: Annotated[str, Ref("areas")]
    summary: Markup
    key_points: tuple[Markup, ...] = ()
    cards: tuple[Card, ...] = ()
    formulas: tuple[Annotated[str, Ref("formulas")], ...] = ()
    references: tuple[Annotated[str, Ref("references")], ...] = ()


@dataclass(frozen=True)
class Symbol:
    """One symbol of a formula and what it stands for."""

    symbol: Latex
    meaning: Markup


@dataclass(frozen=True)
class Formula:
    """A formula with its meaning, symbol legend and a worked numeric example."""

    id: Id
    name: Plain
    latex: Latex
    meaning: Markup
    symbols: Annotated[tuple[Symbol, ...], MinItems(1)]
    example: Annotated[Markup, Doc("a worked numeric example")]
    expression: Annotated[
        Latex,
        Doc(
            "what the formula-to-name card asks with, instead of the formula's last right-hand side; for a"
            " formula whose right-hand side names it or leans on another formula's symbol"
        ),
    ] = ""
    references: tuple[Annotated[str, Ref("references")], ...] = ()


@dataclass(frozen=True)
class Choice:
    """One answer option of a drill, with why it is right or wrong."""

    key: Id
    text: Markup
    why: Markup


@dataclass(frozen=True)
class Drill:
    """A debugging scenario: which layer failed, why, and the smallest fix."""

    id: Id
    title: Plain
    topic: Annotated[str, Ref("topics")]
    scenario: Markup
    question: Markup
    choices: Annotated[tuple[Choice, ...], MinItems(2)]
    answer: Annotated[Id, Doc("the key of the one right choice")]
    fix: Annotated[Markup, Doc("the smallest change that resolves the failure")]
    image: Annotated[Media, Doc("an image for the scenario, e.g. a graph or a diagram")] = ""
    image_alt: ImageAlt = ""

    @property
    def right(self) -> Choice:
        """Return the right choice."""
        return next(c for c in self.choices if c.key == self.answer)

    @property
    def shown_choices(self) -> tuple[Choice, ...]:
        """Return the choices in the order learners see them, in the deck and the workbook alike.

        Authors tend to write the right answer first, and a learner would soon answer "A" without reading.
        Sorting by a hash of the drill and choice keys is stable across builds and text edits, and differs
        from drill to drill.
        """
        return tuple(sorted(self.choices, key=lambda c: hashlib.sha256(f"{self.id}\0{c.key}".encode()).digest()))

    def letter(self, choice: Choice) -> str:
        """Return the letter (A, B, ...) a choice is shown under."""
        return chr(ord("A") + self.shown_choices.index(choice))


@dataclass(frozen=True)
class Misconception:
    """A common mistake: what you see, why it happens, what to do."""

    id: Id
    topic: Annotated[str, Ref("topics")]
    symptom: Markup
    cause: Markup
    fix: Markup


@dataclass(frozen=True)
class Step:
    """One step of a framework, with the prompts to work through."""

    name: Plain
    goal: Markup
    prompts: Annotated[tuple[Markup, ...], MinItems(1)]


@dataclass(frozen=True)
class Worksheet:
    """How a framework's worksheet is headed; every key left out gets neutral wording from the labels."""

    title: Annotated[Plain, Doc("default: the labels.worksheet wording with the framework's name")] = ""
    lead: Annotated[Markup, Doc("how to use the worksheet, printed under the steps")] = ""
    fields: Annotated[
        tuple[Plain, ...], MinItems(1), Doc("blanks at the top, e.g. Problem, Date (default: labels)")
    ] = ()


@dataclass(frozen=True)
class Framework:
    """An ordered method, e.g. for system design or for telling a story."""

    id: Id
    name: Plain
    kind: Annotated[Literal["design", "story"], Doc("design: one worksheet page per step; story: one page")]
    topic: Annotated[str, Ref("topics")]
    summary: Markup
    steps: Annotated[tuple[Step, ...], MinItems(1)]
    worksheet: Worksheet = Worksheet()


@dataclass(frozen=True)
class Proof:
    """The artifact that proves a week's work, with its checklist."""

    title: Plain
    description: Markup
    checklist: Annotated[tuple[Markup, ...], MinItems(1)]


@dataclass(frozen=True)
class Week:
    """One week of a roadmap."""

    focus: Plain
    goals: Annotated[tuple[Markup, ...], MinItems(1)]
    topics: Annotated[tuple[Annotated[str, Ref("topics")], ...], MinItems(1)]
    proof: Proof
    formulas: tuple[Annotated[str, Ref("formulas")], ...] = ()
    drills: tuple[Annotated[str, Ref("drills")], ...] = ()


@dataclass(frozen=True)
class Rhythm:
    """The routine repeated every day of a roadmap."""

    summary: Markup
    daily: Annotated[tuple[Markup, ...], MinItems(1)]
    weekend: tuple[Markup, ...] = ()


@dataclass(frozen=True)
class Roadmap:
    """A named week-by-week plan; `--weeks N` picks the roadmap with N weeks."""

    id: Id
    title: Plain
    audience: Markup
    rhythm: Rhythm
    weeks: Annotated[tuple[Week, ...], MinItems(1)]


@dataclass(frozen=True)
class Reference:
    """A paper, specification or page the material draws on."""

    id: Id
    authors: Plain
    title: Plain
    year: Annotated[int, Range(1900, 2100)]
    venue: Plain = ""
    url: Plain = ""


Words = tuple[Plain, ...]


@dataclass(frozen=True)
class Labels:
    """Every fixed word the deck and the workbook print; a course overrides any of them under `labels`.

    Words in braces, such as `{number}`, are filled in when printed; an override may use the same ones.
    """

    # Shared by the deck and the workbook.
    tiers: Annotated[Words, MinItems(1), Doc("tier names; a topic's tier is 1 to their number")] = (
        "core",
        "intermediate",
        "advanced",
    )
    tier: Plain = "Tier {number} · {name}"
    week: Plain = "Week"
    week_number: Plain = "Week {number}"
    day_number: Plain = "Day {number}"
    topic: Plain = "Topic"
    weekdays: Annotated[Words, Doc("seven names, Monday first")] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    months: Annotated[Words, Doc("twelve names, January first")] = (
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "May",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Oct",
        "Nov",
        "Dec",
    )
    explain: Plain = "Explain:"
    fill_in: Plain = "Fill in the blank:"
    symbols: Plain = "Symbols"
    worked_example: Plain = "Worked example"
    answer: Plain = "Answer"
    why: Plain = "Why"
    fix: Plain = "Fix"
    drill: Plain = "Drill"
    drills: Plain = "Drills"
    # The deck.
    note_basic: Plain = "Basic"
    note_reversible: Plain = "Reversible"
    note_cloze: Plain = "Cloze"
    note_formula: Plain = "Formula"
    note_drill: Plain = "Drill"
    note_misconception: Plain = "Misconception"
    term_prompt: Plain = "What does it mean?"
    meaning_prompt: Plain = "Which term is this?"
    name_to_formula_prompt: Plain = "Write the formula and say what each symbol stands for."
    formula_to_name_prompt: Plain = "Which formula is this? Name it."
    symptom: Plain = "Symptom"
    cause: Plain = "Cause"
    symptom_prompt: Plain = "What causes this?"
    deck_workbook: Plain = "Workbook"
    # The buttons that open a card's collapsed parts (symbols and worked example use the shared labels).
    deck_source: Plain = "Source"
    deck_meaning: Plain = "Meaning"
    deck_why_not: Plain = "Why not the others"
    plan_place: Annotated[Plain, Doc("where a plan teaches a note; {count} is its number of weeks")] = (
        "{count}-week {places}"
    )
    week_place: Plain = "week {number}"
    in_no_plan: Plain = "not in any plan: extra reading"
    deck_preset: Plain = "{deck}: study plan"
    deck_howto: Plain = (
        "Study this deck every day: new cards come in the order of the plans. Set its daily limits for your plan"
        " once (deck options › Daily limits):"
    )
    deck_pace: Plain = "{plan}: {new} new cards/day, {reviews} reviews/day; one week:"
    deck_week_howto: Plain = (
        "To study one week on its own, create a filtered deck (Tools › Create Filtered Deck) with the week's"
        " search, limited to your plan's new cards a day."
    )
    # The card preview page.
    preview_title: Plain = "{title}: card preview"
    preview_counts: Plain = "Notes: {notes}; cards: {cards}"  # no noun after a number: one note reads right too
    preview_since: Plain = "{new} new and {changed} changed by the latest build with changes"
    preview_first: Plain = "no earlier build to compare with"
    preview_dark: Plain = "Dark"
    preview_light: Plain = "Light"
    preview_only: Plain = "Only new and changed notes"
    preview_about: Plain = (
        "Each card as Anki shows it, with the deck's own templates and stylesheet. Math is shown as MathML here;"
        " Anki typesets it with MathJax, so spacing can differ slightly."
    )
    preview_front: Plain = "Front"
    preview_back: Plain = "Back"
    preview_new: Plain = "new"
    preview_changed: Plain = "changed"
    preview_no_week: Plain = "In no week of the plan “{plan}”"
    preview_all: Plain = "All cards"
    # The workbook: cover, guide, contents and overview.
    workbook: Plain = "{plan} · workbook"
    plan_dates: Plain = "Plan dates:"
    start_date: Plain = "Start date:"
    end_date: Plain = "End date:"
    name: Plain = "Name:"
    count_weeks: Plain = "{count} weeks"
    count_week: Plain = "{count} week"
    count_topics: Plain = "{count} topics"
    count_topic: Plain = "{count} topic"
    count_formulas: Plain = "{count} formulas"
    count_formula: Plain = "{count} formula"
    count_drills: Plain = "{count} drills"
    count_drill: Plain = "{count} drill"
    answer_key: Plain = "Answer key"
    how_to_use: Plain = "How to use this workbook"
    how_to_use_lead: Plain = (
        "This workbook walks you through the {plan}, one week at a time. Print it, keep it on your desk, and work"
        " in it with a pen."
    )
    daily_rhythm: Plain = "The daily rhythm"
    week_layout: Plain = "How a week is laid out"
    layout_checklist: Plain = "Goals and checklist:"
    layout_checklist_text: Plain = (
        "a grid for the daily routine, and the week's topics spread over the days with their page numbers."
    )
    layout_topics: Plain = "Topics:"
    layout_topics_text: Plain = (
        "summary, key points, formulas with a symbol legend and a worked example, and self-check questions;"
        " each question links to its answer in the answer key."
    )
    layout_drills: Plain = "Drills:"
    layout_drills_text: Plain = "answer each one, write why and the smallest fix, then check the answer key."
    layout_proof: Plain = "Proof artifact, notes and review:"
    layout_proof_text: Plain = "something you make to show you can do it, room to write, and what to revisit next week."
    with_deck: Plain = "With the Anki deck"
    deck_pace_text: Plain = (
        "Import the deck, then set its pace once, in the deck's options under Daily limits: New cards/day {new}"
        " and Maximum reviews/day {reviews}. New cards then arrive in this plan's order, each week's within six"
        " days, so one day a week is spare for catching up."
    )
    with_deck_text: Plain = (
        "The Anki deck {deck} is built from the same source, and the self-check questions here are drawn from its"
        " cards. Review the cards that are due every day. Every note is tagged with the weeks that cover it, {tag},"
        " so you can study just one week:"
    )
    deck_step_1: Plain = "In Anki, choose Tools > Create Filtered Deck."
    deck_step_2: Plain = "Search for {search} (here, week {number}); each week's first page prints its own search."
    # Worded so that no noun follows a number: a plan of one week, or of one new card a day, reads right too.
    deck_step_3: Plain = (
        "Set its limit to one day's new cards ({count}), the order to Order due, and build. Next week, change the"
        " week in the search and Rebuild. A filtered deck only borrows cards: deleting it sends them home."
    )
    dates_and_boxes: Plain = "Dates, boxes and links"
    study_where: Plain = "When and where I will study"
    dated: Plain = "This plan runs from {first} to {last}."
    undated: Plain = (
        "Write the dates on the blank lines as you start each week, or rebuild the workbook with {option} to print"
        " them."
    )
    boxes: Plain = (
        "The boxes print as squares for a pen; in a PDF viewer that fills forms you can also tick them on screen"
        " and save the file. On screen, the contents, the bookmarks and every blue page number are links."
    )
    every_day: Plain = "Every day"
    at_weekend: Plain = "At the weekend"
    contents: Plain = "Contents"
    overview: Plain = "Plan overview"
    dates: Plain = "Dates"
    focus: Plain = "Focus"
    key_topics: Plain = "Key topics"
    proof: Plain = "Proof artifact"
    date_to: Plain = "to"
    more_topics: Plain = "and {count} more on the week's pages"
    overview_lead: Plain = (  # no noun after a number, as in deck_step_3
        "Weeks: {weeks}; topic readings: {readings}. Key topics are the core ones of each week; the week's own"
        " pages list them all."
    )
    rhythm: Plain = "Rhythm"
    # The workbook: a week.
    dates_line: Plain = "Dates:"
    week_cards: Plain = "This week's cards in Anki (Tools > Create Filtered Deck):"
    goals: Plain = "Goals"
    goal_reached: Plain = "goal reached"
    plan_and_checklist: Plain = "Plan and checklist"
    routine: Plain = "Routine"
    day_by_day: Plain = "Day by day"
    week_load: Plain = "{topics} topics over {days} study days: {per_day} a day, each with its self-check"
    reminders: Plain = "Questions and reminders for this week"
    weekend: Plain = "weekend"
    read: Plain = "Read"
    and_self_check: Plain = "and answer its self-check"
    work: Plain = "Work"
    work_on_proof: Plain = "Work on the {link}: {title}"
    proof_link: Plain = "proof artifact"
    done: Plain = "done"
    catch_up: Plain = "Catch up, or re-read the topic you found hardest"
    topics: Plain = "Topics"
    more_formulas: Plain = "More formulas this week"
    key_points: Plain = "Key points"
    self_check: Plain = "Self-check"
    answer_page: Plain = "answer {page}"
    question_page: Plain = "question {page}"
    drill_page: Plain = "drill {page}"
    page: Plain = "p. {number}"
    page_of: Plain = "page {number} of {count}"
    page_alone: Plain = "page {number}"
    further_reading: Plain = "Further reading:"
    source: Plain = "Source:"
    formula_shown_on: Plain = "symbols and worked example on {page}"
    drill_instructions: Plain = (
        "Read the scenario, tick the answer you choose, and write why and the smallest fix. Then check the answer key."
    )
    choice: Plain = "choice {letter}"
    why_and_fix: Plain = "Why, and the smallest fix"
    check_answer: Plain = "Check your answer → answer key, {page}"
    checklist: Plain = "Checklist"
    proof_where: Plain = "Where it lives (file, link or notebook page):"
    workspace: Plain = "Workspace: sketch, calculate, draft"
    notes: Plain = "Notes"
    review: Plain = "End-of-week review"
    review_lead: Plain = (
        "Fill this in at the end of the week, before you start the next one. Be specific: name the topic, the"
        " formula or the drill."
    )
    review_prompts: Words = (
        "What clicked this week?",
        "What do I need to revisit, and when?",
        "Which self-check or drill did I get wrong, and why?",
        "One question I still have",
    )
    before_moving_on: Plain = "Before moving on"
    review_goals: Plain = "Goals above reached, or moved to next week's plan"
    review_cards: Plain = "This week's cards studied in a filtered deck (search on the week's first page)"
    review_drills: Plain = "Drill answers checked against the answer key"
    review_proof: Plain = "Proof artifact finished: {proof}"
    next_week: Plain = "Next week: what I will do differently"
    after_plan: Plain = "After the plan: what I will keep practising"
    # The workbook: back matter.
    formula_sheet: Plain = "Formula quick reference"
    formula_sheet_lead: Plain = (
        "Every formula of the plan in the order you meet it, and the page that explains it. Cover them and recite."
    )
    formula_column: Plain = "Formula"
    page_column: Plain = "p."
    misconceptions: Plain = "Misconceptions"
    misconceptions_lead: Plain = "Common mistakes, in the order of the weeks that teach their topic."
    week_short: Plain = "Wk"
    what_you_see: Plain = "What you see"
    why_it_happens: Plain = "Why it happens"
    what_to_do: Plain = "What to do"
    step_worksheets: Annotated[Plain, Doc("chapter of the frameworks of kind design")] = "Worksheets"
    page_worksheets: Annotated[Plain, Doc("chapter of the frameworks of kind story")] = "One-page worksheets"
    worksheet: Plain = "{name} worksheet"
    steps: Plain = "Steps:"
    worksheet_opening: Plain = "The task in your own words, and the questions you would ask first"
    step_of: Plain = "{name} · step {number} of {count}"
    goal: Plain = "Goal:"
    worksheet_notes: Plain = "Sketches and notes"
    worksheet_fields: Annotated[Words, Doc("blanks at the top of a worksheet, unless the framework names its own")] = (
        "Title",
        "Date",
    )
    rehearsals: Plain = "Rehearsals: date, who listened, time taken"
    week_answers: Plain = "Week {number} answers"
    answer_letter: Plain = "Answer: {letter}"
    why_line: Plain = "Why:"
    not_letter: Plain = "Not {letter}:"
    smallest_fix: Plain = "Smallest fix:"
    references: Plain = "References"
    index: Plain = "Index"
    index_lead: Plain = "Topics in upright type, {formulas}; every page number is a link."
    index_articles: Annotated[Words, Doc('leading words the index files an entry without ("The KV cache" under K)')] = (
        "The",
        "A",
        "An",
    )
    index_formulas: Plain = "formulas in italics"


@dataclass(frozen=True)
class KnowledgeBase:
    """The whole validated source: everything the renderers need."""

    meta: Meta
    areas: Annotated[tuple[Area, ...], MinItems(1)]
    topics: Annotated[tuple[Topic, ...], MinItems(1)]
    formulas: tuple[Formula, ...] = ()
    drills: tuple[Drill, ...] = ()
    misconceptions: tuple[Misconception, ...] = ()
    frameworks: tuple[Framework, ...] = ()
    roadmaps: tuple[Roadmap, ...] = ()
    references: tuple[Reference, ...] = ()
    labels: Annotated[Labels, Doc("the fixed words the outputs print, to translate or reword any of them")] = Labels()
    # Not read from YAML: the folder the source file lives in, against which media paths resolve.
    root: Path = field(default=Path("."), metadata={"yaml": False})

    def topic(self, topic_id: str) -> Topic:
        """Return the topic with this id."""
        return self._topics[topic_id]

    def formula(self, formula_id: str) -> Formula:
        """Return the formula with this id."""
        return self._formulas[formula_id]

    def drill(self, drill_id: str) -> Drill:
        """Return the drill with this id."""
        return self._drills[drill_id]

    def reference(self, reference_id: str) -> Reference:
        """Return the reference with this id."""
        return self._references[reference_id]

    def area(self, area_id: str) -> Area:
        """Return the area with this id."""
        return self._areas[area_id]

    def roadmap_for(self, weeks: int) -> Roadmap:
        """Return the roadmap with this many weeks (KeyError if none)."""
        for roadmap in self.roadmaps:
            if len(roadmap.weeks) == weeks:
                return roadmap
        raise KeyError(weeks)

    def formula_topic(self, formula_id: str) -> Topic | None:
        """Return the first topic that links this formula."""
        return self._formula_topics.get(formula_id)

    # Lookups by id, built on first use: renderers look items up per note, and a scan per lookup would make
    # a build grow with the square of the course. The first item with an id wins, as a scan would find it.

    @cached_property
    def _topics(self) -> dict[str, Topic]:
        return _index(self.topics)

    @cached_property
    def _formulas(self) -> dict[str, Formula]:
        return _index(self.formulas)

    @cached_property
    def _drills(self) -> dict[str, Drill]:
        return _index(self.drills)

    @cached_property
    def _references(self) -> dict[str, Reference]:
        return _index(self.references)

    @cached_property
    def _areas(self) -> dict[str, Area]:
        return _index(self.areas)

    @cached_property
    def _formula_topics(self) -> dict[str, Topic]:
        found: dict[str, Topic] = {}
        for topic in self.topics:
            for formula_id in topic.formulas:
                found.setdefault(formula_id, topic)
        return found


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


_T = TypeVar("_T", bound=_HasId)


def _index(items: tuple[_T, ...]) -> dict[str, _T]:
    """Map each id to the first item that has it."""
    found: dict[str, _T] = {}
    for item in items:
        found.setdefault(item.id, item)
    return found
