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

    name: Literal["id", "markup", "latex", "media", "plain"]


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


@dataclass(frozen=True)
class Area:
    """A subject area; topics belong to one, and it becomes a tag in Anki."""

    id: Id
    title: Plain


@dataclass(frozen=True)
class BasicCard:
    """A question with one short answer."""

    id: Id
    question: Markup
    answer: Markup
    extra: Annotated[Markup, Doc("shown below the answer")] = ""
    image: Annotated[Media, Doc("image path relative to the source file, shown on the answer side")] = ""


@dataclass(frozen=True)
class ReversibleCard:
    """A term and its meaning, asked in both directions."""

    id: Id
    term: Markup
    meaning: Markup
    extra: Markup = ""
    image: Media = ""


@dataclass(frozen=True)
class ClozeCard:
    """A sentence with {{c1::deletions}}; each number becomes one card."""

    id: Id
    cloze: Markup
    extra: Markup = ""
    image: Media = ""


Card = BasicCard | ReversibleCard | ClozeCard

#: The key whose presence says which kind of card a mapping is.
CARD_MARKERS: dict[type, str] = {BasicCard: "question", ReversibleCard: "term", ClozeCard: "cloze"}


@dataclass(frozen=True)
class Topic:
    """One thing to learn: a summary, key points and the cards that drill it."""

    id: Id
    title: Plain
    tier: Annotated[int, Range(1, 3), Doc("1 core, 2 common in production, 3 advanced")]
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
class Framework:
    """An ordered method, e.g. for system design or for telling a story."""

    id: Id
    name: Plain
    kind: Annotated[Literal["design", "story"], Doc("design: one worksheet page per step; story: one page")]
    topic: Annotated[str, Ref("topics")]
    summary: Markup
    steps: Annotated[tuple[Step, ...], MinItems(1)]


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
