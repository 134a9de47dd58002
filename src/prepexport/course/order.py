"""Roadmap order: one sequence of every note that each plan's weeks agree with, and where plans disagree.

Anki serves new cards by position, so one order has to serve every plan: no note of a later week of any plan
may come before a note of an earlier week of that plan. Each plan adds those constraints; the first plan's
day order breaks ties. When two plans order material differently no sequence can satisfy both, the first
plan wins, and `conflicts` names the items out of order for `check` to warn about.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from prepexport.course import cloze
from prepexport.course.kinds import Kind, card_kind
from prepexport.model import ClozeCard, KnowledgeBase, Roadmap, Topic

#: A note of the deck: its kind and the author's id (a topic card, formula, drill or misconception).
NoteKey = tuple[Kind, str]

_KIND_ORDER = {"topic": 0, "formula": 1, "drill": 2}

#: Cards per note for the kinds with a fixed number of card templates (a cloze has one per deletion number).
_FIXED_CARDS: dict[Kind, int] = {"basic": 1, "reversible": 2, "formula": 2, "drill": 1, "misconception": 1}


@dataclass(frozen=True)
class Placed:
    """A note in roadmap order: its key, its number of cards, and per plan id the first week teaching it."""

    key: NoteKey
    cards: int
    weeks: dict[str, int]


@dataclass(frozen=True)
class Conflict:
    """Two plans order items differently: roadmap `plan` teaches `item` in `week`, before `others`; `earlier` after."""

    plan: int  # index of the roadmap that teaches `item` first
    plan_id: str
    earlier: str  # id of the roadmap that teaches `others` first
    follows: str  # id of the roadmap the deck's order follows
    kind: str  # topic, formula or drill
    item: str
    week: int
    others: tuple[str, ...]

    @property
    def message(self) -> str:
        """Say what is out of order and which plan new cards follow."""
        shown = ", ".join(f"'{o}'" for o in self.others[:4])
        more = f" and {len(self.others) - 4} more" if len(self.others) > 4 else ""
        return (
            f"roadmap '{self.plan_id}' teaches {self.kind} '{self.item}' in week {self.week}, before {shown}{more}, "
            f"which roadmap '{self.earlier}' teaches first; one deck order cannot follow both, so new cards follow "
            f"'{self.follows}'"
        )


def plan_sequence(kb: KnowledgeBase, roadmap: Roadmap) -> Iterator[tuple[int, NoteKey]]:
    """Yield the notes a plan teaches with their week, in day order (a note may come again in a later week).

    A week teaches each topic in turn (its cards, formulas, misconceptions, the drills no week of the plan
    lists, and the drills this week lists for it, which the workbook puts on the day the topic is read), then
    the week's own formulas and its drills on topics of other weeks.
    """
    listed = {d for week in roadmap.weeks for d in week.drills}
    extras = _extras(kb, listed)
    drill_topic = {d.id: d.topic for d in kb.drills}
    for number, week in enumerate(roadmap.weeks, 1):
        for topic_id in week.topics:
            for key in topic_notes(kb.topic(topic_id), extras):
                yield number, key
            for drill_id in week.drills:
                if drill_topic.get(drill_id) == topic_id:
                    yield number, ("drill", drill_id)
        for formula_id in week.formulas:
            yield number, ("formula", formula_id)
        here = set(week.topics)
        for drill_id in week.drills:
            if drill_topic.get(drill_id) not in here:
                yield number, ("drill", drill_id)


def topic_notes(topic: Topic, extras: Mapping[str, list[NoteKey]]) -> Iterator[NoteKey]:
    """Yield a topic's notes in teaching order: its cards, formulas, then its misconceptions and unlisted drills."""
    for card in topic.cards:
        yield card_kind(card), card.id
    for formula_id in topic.formulas:
        yield "formula", formula_id
    yield from extras.get(topic.id, ())


def _extras(kb: KnowledgeBase, listed_drills: set[str]) -> dict[str, list[NoteKey]]:
    """Return each topic's misconceptions and the drills no week lists, gathered once rather than per topic."""
    extras: dict[str, list[NoteKey]] = {}
    for mistake in kb.misconceptions:
        extras.setdefault(mistake.topic, []).append(("misconception", mistake.id))
    for drill in kb.drills:
        if drill.id not in listed_drills:
            extras.setdefault(drill.topic, []).append(("drill", drill.id))
    return extras


def all_notes(kb: KnowledgeBase) -> dict[NoteKey, int]:
    """Return every note of the course with its number of cards, in source order."""
    notes: dict[NoteKey, int] = {}
    for topic in kb.topics:
        for card in topic.cards:
            kind = card_kind(card)
            count = len(cloze.parse(card.cloze).numbers) if isinstance(card, ClozeCard) else _FIXED_CARDS[kind]
            notes[kind, card.id] = count
    notes.update({("formula", f.id): _FIXED_CARDS["formula"] for f in kb.formulas})
    notes.update({("drill", d.id): _FIXED_CARDS["drill"] for d in kb.drills})
    notes.update({("misconception", m.id): _FIXED_CARDS["misconception"] for m in kb.misconceptions})
    return notes


def roadmap_order(kb: KnowledgeBase) -> tuple[Placed, ...]:
    """Return every note in the order new cards should come: each plan's weeks in order, ties in day order.

    A topological sort: within each plan every note of week k comes before every note of week k+1 (through one
    barrier node per week boundary, so the graph stays linear in size). Among the notes free to come next, the
    first plan's (week, day order) decides, then the next plan's; notes in no plan come last, in source order.
    A cycle (plans disagreeing) is broken in favour of the first plan.
    """
    notes = all_notes(kb)
    keys = list(notes)
    first_week: list[dict[NoteKey, int]] = []
    ranks: list[dict[NoteKey, int]] = []
    for roadmap in kb.roadmaps:
        weeks: dict[NoteKey, int] = {}
        for number, key in plan_sequence(kb, roadmap):
            if key in notes:
                weeks.setdefault(key, number)
        first_week.append(weeks)
        ranks.append({key: i for i, key in enumerate(weeks)})
    last = len(keys)
    priority = [
        (*((w.get(key, last), r.get(key, last)) for w, r in zip(first_week, ranks, strict=True)), (i, 0))
        for i, key in enumerate(keys)
    ]

    # Nodes 0..n-1 are the notes; each barrier after them stands between two consecutive weeks of one plan.
    index = {key: i for i, key in enumerate(keys)}
    successors: list[list[int]] = [[] for _ in keys]
    waiting = [0] * len(keys)
    for weeks in first_week:
        by_week: dict[int, list[int]] = {}
        for key, number in weeks.items():
            by_week.setdefault(number, []).append(index[key])
        numbers = sorted(by_week)
        for before, after in itertools.pairwise(numbers):
            barrier = len(successors)
            successors.append(by_week[after])
            waiting.append(len(by_week[before]))
            for node in by_week[before]:
                successors[node].append(barrier)
            for node in by_week[after]:
                waiting[node] += 1

    order: list[int] = []
    done = [False] * len(successors)
    free = [(priority[i], i) for i in range(len(keys)) if waiting[i] == 0]
    heapq.heapify(free)
    # Every note by priority, for breaking a cycle: popped lazily past the notes already placed, so plans that
    # disagree at every week boundary cost a heap operation per break, not a scan of the whole course.
    unplaced = [(priority[i], i) for i in range(len(keys))]
    heapq.heapify(unplaced)

    def release(node: int) -> None:
        done[node] = True
        for succ in successors[node]:
            waiting[succ] -= 1
            if waiting[succ] == 0 and not done[succ]:
                if succ < len(keys):
                    heapq.heappush(free, (priority[succ], succ))
                else:
                    release(succ)  # a barrier passes as soon as its week is done

    while len(order) < len(keys):
        if not free:
            # Plans disagree: let through the note the first plan wants next, despite its other constraints.
            while done[unplaced[0][1]]:
                heapq.heappop(unplaced)
            stuck = unplaced[0][1]
            waiting[stuck] = 0
            heapq.heappush(free, (priority[stuck], stuck))
        _, node = heapq.heappop(free)
        if not done[node]:
            order.append(node)
            release(node)
    return tuple(
        Placed(
            keys[i],
            notes[keys[i]],
            {r.id: w[keys[i]] for r, w in zip(kb.roadmaps, first_week, strict=True) if keys[i] in w},
        )
        for i in order
    )


def item_weeks(kb: KnowledgeBase, roadmap: Roadmap) -> dict[tuple[str, str], int]:
    """Return the first week of a plan teaching each topic, formula and drill (a drill no week lists: its topic's)."""
    found: dict[tuple[str, str], int] = {}
    for number, week in enumerate(roadmap.weeks, 1):
        for topic_id in week.topics:
            found.setdefault(("topic", topic_id), number)
            for formula_id in kb.topic(topic_id).formulas:
                found.setdefault(("formula", formula_id), number)
        for formula_id in week.formulas:
            found.setdefault(("formula", formula_id), number)
        for drill_id in week.drills:
            found.setdefault(("drill", drill_id), number)
    listed = {d for week in roadmap.weeks for d in week.drills}
    for drill in kb.drills:
        if drill.id not in listed and ("topic", drill.topic) in found:
            found[("drill", drill.id)] = found[("topic", drill.topic)]
    return found


def _listed(roadmap: Roadmap) -> set[tuple[str, str]]:
    """Return the items a plan's weeks name themselves (formulas and drills that follow a topic are implied)."""
    listed: set[tuple[str, str]] = set()
    for week in roadmap.weeks:
        listed |= {("topic", t) for t in week.topics} | {("formula", f) for f in week.formulas}
        listed |= {("drill", d) for d in week.drills}
    return listed


def conflicts(kb: KnowledgeBase) -> Iterator[Conflict]:
    """Yield, for every two plans, each item the later plan teaches before items the earlier one puts first.

    Only items a week names count: a formula or drill that comes with its topic is out of order exactly when
    its topic is, and naming the topic says it.
    """
    weeks = [item_weeks(kb, roadmap) for roadmap in kb.roadmaps]
    listed = [_listed(roadmap) for roadmap in kb.roadmaps]
    for i, first in enumerate(kb.roadmaps):
        for j in range(i + 1, len(kb.roadmaps)):
            a, b = weeks[i], weeks[j]
            shared = sorted(set(a) & set(b), key=lambda item: (a[item], _KIND_ORDER[item[0]], item[1]))
            # Only the two week numbers decide; grouping by them keeps this linear in the number of items.
            by_weeks: dict[tuple[int, int], list[str]] = {}
            for x in shared:
                if x in listed[i]:
                    by_weeks.setdefault((a[x], b[x]), []).append(x[1])
            before: dict[tuple[int, int], tuple[str, ...]] = {}
            for item in sorted(shared, key=lambda item: (b[item], a[item], item)):
                if item not in listed[j]:
                    continue
                key = (a[item], b[item])
                if key not in before:
                    groups = sorted(k for k in by_weeks if k[0] < key[0] and k[1] > key[1])
                    before[key] = tuple(x for k in groups for x in by_weeks[k])
                if before[key]:
                    yield Conflict(
                        j, kb.roadmaps[j].id, first.id, kb.roadmaps[0].id, item[0], item[1], b[item], before[key]
                    )
