"""The schedule: what goes on which day, the dates, key topics, and the self-check questions drawn from cards."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import assert_never

from prepexport.course import cloze, tags
from prepexport.model import BasicCard, Card, ClozeCard, KnowledgeBase, Labels, ReversibleCard, Roadmap, Topic, Week

SELF_CHECKS_PER_TOPIC = 3
KEY_TOPICS = 5


@dataclass(frozen=True)
class Day:
    """One day of a week's checklist."""

    number: int  # 1-7 within the week
    date: datetime.date | None
    weekend: bool
    topics: tuple[str, ...]  # topic ids to read that day
    tasks: tuple[str, ...]  # weekend tasks (markup) that fall on this day
    review: bool  # the day of the end-of-week review
    drills: tuple[str, ...] = ()  # drill ids to work that day
    proof: bool = False  # a day to work on the week's proof artifact


@dataclass(frozen=True)
class SelfCheck:
    """A question for the topic page and its answer for the answer key, both markup."""

    card_id: str
    lead: str  # plain words before the question, e.g. "Fill in the blank:"
    question: str
    answer: str
    extra: str = ""


def week_tag(kb: KnowledgeBase, roadmap: Roadmap, number: int) -> str:
    """Return the Anki tag the deck puts on every note of a week, e.g. prep::four-week::week-02."""
    return tags.week_tag(tags.tag_root(kb), roadmap.id, number)


def week_start(start: datetime.date | None, number: int) -> datetime.date | None:
    """Return the first day of week `number` (1-based), if the plan has a start date."""
    return None if start is None else start + datetime.timedelta(weeks=number - 1)


def format_day(labels: Labels, day: datetime.date) -> str:
    """Format a date with the course's day and month names, e.g. Mon 2 Mar."""
    return f"{labels.weekdays[day.weekday()]} {day.day} {labels.months[day.month - 1]}"


def format_range(labels: Labels, first: datetime.date, last: datetime.date) -> str:
    """Format a week's span, e.g. 2 Mar – 8 Mar 2026."""
    months = labels.months
    return f"{first.day} {months[first.month - 1]} – {last.day} {months[last.month - 1]} {last.year}"


def week_range(labels: Labels, start: datetime.date | None, number: int) -> str | None:
    """Return the printed date span of a week, or None without a start date."""
    first = week_start(start, number)
    return None if first is None else format_range(labels, first, first + datetime.timedelta(days=6))


def days(
    roadmap: Roadmap,
    week: Week,
    number: int,
    start: datetime.date | None,
    drill_topics: Mapping[str, str] | None = None,
) -> tuple[Day, ...]:
    """Spread a week's topics over its study days, its weekend tasks over its weekend, and place its drills
    (`drill_topics`: each drill's topic id), proof artifact and review on days."""
    first = week_start(start, number)
    dates = [None if first is None else first + datetime.timedelta(days=n) for n in range(7)]
    # Without a calendar, days 6 and 7 are the weekend; with one, the real Saturday and Sunday are.
    weekend = [(d.weekday() >= 5) if d is not None else n >= 5 for n, d in enumerate(dates)]
    study = [n for n in range(7) if not weekend[n]] if roadmap.rhythm.weekend else list(range(7))
    topics_by_day: dict[int, list[str]] = {n: [] for n in range(7)}
    for n, chunk in zip(study, _spread(week.topics, len(study)), strict=True):
        topics_by_day[n] = list(chunk)
    free = [n for n in range(7) if weekend[n]]
    tasks_by_day: dict[int, list[str]] = {n: [] for n in range(7)}
    for i, task in enumerate(roadmap.rhythm.weekend):
        tasks_by_day[free[i * len(free) // len(roadmap.rhythm.weekend)]].append(task)
    # A drill comes the day its topic is read (the reading is fresh), or on the week's last study day when
    # the topic belongs to another week; the proof artifact gets the free days, or the last two study days.
    read_on = {topic: n for n, ids in topics_by_day.items() for topic in ids}
    drills_by_day: dict[int, list[str]] = {n: [] for n in range(7)}
    for drill_id in week.drills:
        topic = (drill_topics or {}).get(drill_id, "")
        drills_by_day[read_on.get(topic, study[-1])].append(drill_id)
    proof_days = set(free) if free and roadmap.rhythm.weekend else set(study[-2:])
    return tuple(
        Day(
            n + 1,
            dates[n],
            weekend[n],
            tuple(topics_by_day[n]),
            tuple(tasks_by_day[n]),
            n == 6,
            tuple(drills_by_day[n]),
            n in proof_days,
        )
        for n in range(7)
    )


def _spread(items: tuple[str, ...], slots: int) -> list[tuple[str, ...]]:
    """Split items in order into `slots` runs whose sizes differ by at most one, larger runs first."""
    size, extra = divmod(len(items), slots)
    runs: list[tuple[str, ...]] = []
    at = 0
    for n in range(slots):
        take = size + (1 if n < extra else 0)
        runs.append(items[at : at + take])
        at += take
    return runs


def key_topics(kb: KnowledgeBase, week: Week) -> tuple[list[Topic], int]:
    """Return the week's key topics (core tier first, in plan order) and how many others it has."""
    topics = [kb.topic(t) for t in week.topics]
    ranked = sorted(topics, key=lambda t: t.tier)[:KEY_TOPICS]
    chosen = [t for t in topics if t in ranked]
    return chosen, len(topics) - len(chosen)


def week_formulas(kb: KnowledgeBase, week: Week) -> list[str]:
    """Return the week's formula ids not already shown under one of its topics, in order."""
    shown = {f for t in week.topics for f in kb.topic(t).formulas}
    return [f for f in dict.fromkeys(week.formulas) if f not in shown]


def self_checks(topic: Topic, labels: Labels, limit: int = SELF_CHECKS_PER_TOPIC) -> list[SelfCheck]:
    """Return up to `limit` questions drawn from the topic's cards, in source order."""
    return [_self_check(card, labels) for card in topic.cards[:limit]]


def _self_check(card: Card, labels: Labels) -> SelfCheck:
    match card:
        case BasicCard():
            return SelfCheck(card.id, "", card.question, card.answer, card.extra)
        case ReversibleCard():
            return SelfCheck(card.id, labels.explain, card.term, card.meaning, card.extra)
        case ClozeCard():
            question, answers = cloze.blanks(card.cloze)
            return SelfCheck(card.id, labels.fill_in, question, "; ".join(answers), card.extra)
        case _:
            assert_never(card)
