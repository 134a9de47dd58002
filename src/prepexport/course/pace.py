"""The pace that finishes a plan on time: how many new cards a day Anki must introduce, and the review limit."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from prepexport.course.order import Placed, roadmap_order
from prepexport.model import KnowledgeBase, Roadmap

#: Anki's manual advises a review limit of at least ten times the new-card limit, so reviews never cap new cards.
REVIEWS_PER_NEW_CARD = 10
#: Anki's own defaults: new cards a day for a course without plans, and the least review limit.
ANKI_NEW_PER_DAY, ANKI_REVIEWS_PER_DAY = 20, 200
#: New cards are spread over six days of each week, so a missed day can be caught up without falling behind.
STUDY_DAYS_PER_WEEK = 6


@dataclass(frozen=True)
class Pace:
    """A plan's pace: new cards a day, and the week that sets it with its number of new cards."""

    roadmap: Roadmap
    new_per_day: int
    busiest_week: int
    busiest_cards: int

    @property
    def reviews_per_day(self) -> int:
        """Return a review limit that never holds back new cards."""
        return review_limit(self.new_per_day)


def review_limit(new_per_day: int) -> int:
    """Return the review limit for a new-card limit: Anki's default, or ten times the new cards if more."""
    return max(ANKI_REVIEWS_PER_DAY, REVIEWS_PER_NEW_CARD * new_per_day)


def plan_pace(roadmap: Roadmap, order: Sequence[Placed]) -> Pace:
    """Return the new cards a day that finish every week of a plan on time with one day a week to spare.

    At least the busiest week's new cards over six days, leaving one catch-up day a week; more if notes of
    other plans, interleaved in the deck's order, would otherwise need more than six days a week so far.
    """
    per_week: dict[int, int] = {}
    ends: dict[int, int] = {}  # week -> cards up to and including the week's last note, in deck order
    total = 0
    for placed in order:
        total += placed.cards
        week = placed.weeks.get(roadmap.id)
        if week is not None:
            per_week[week] = per_week.get(week, 0) + placed.cards
            ends[week] = total
    if not per_week:
        return Pace(roadmap, 0, 0, 0)
    busiest = max(sorted(per_week), key=lambda w: per_week[w])
    need = math.ceil(per_week[busiest] / STUDY_DAYS_PER_WEEK)
    upto = 0
    for week in sorted(ends):
        upto = max(upto, ends[week])
        # Week k's cards within 6k days: a learner who misses one day every week still ends week k on time.
        need = max(need, math.ceil(upto / (STUDY_DAYS_PER_WEEK * week)))
    return Pace(roadmap, need, busiest, per_week[busiest])


def paces(kb: KnowledgeBase, order: Sequence[Placed]) -> tuple[Pace, ...]:
    """Return every plan's pace, in the order the course lists its plans."""
    return tuple(plan_pace(roadmap, order) for roadmap in kb.roadmaps)


def deck_new_per_day(kb: KnowledgeBase, order: Sequence[Placed]) -> int:
    """Return the new cards a day the deck's preset sets: the fastest plan's pace (Anki's default if no plan)."""
    needed = [p.new_per_day for p in paces(kb, order)]
    return max(1, *needed) if needed else ANKI_NEW_PER_DAY


def pace_for(kb: KnowledgeBase, roadmap: Roadmap) -> Pace:
    """Return one plan's pace in the deck's order (for a renderer that needs a single plan's figure)."""
    return plan_pace(roadmap, roadmap_order(kb))
