"""Which weeks of which plan cover each topic, formula and drill: one map built once per knowledge base."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from prepexport.model import KnowledgeBase

#: Per roadmap id, the 1-based weeks that cover an item, in roadmap order.
Weeks = dict[str, tuple[int, ...]]


@dataclass(frozen=True)
class Coverage:
    """The weeks covering every item, looked up by id."""

    by_id: Mapping[str, Weeks]

    def weeks(self, item_id: str) -> Weeks:
        """Return, per roadmap id, the weeks that cover this item (a fresh dict; empty if none)."""
        return dict(self.by_id.get(item_id, {}))


def coverage(kb: KnowledgeBase) -> Coverage:
    """Map every id a week lists to its weeks; a week also covers each formula linked from a topic it lists."""
    formulas = {t.id: t.formulas for t in kb.topics}
    found: dict[str, dict[str, list[int]]] = {}
    for roadmap in kb.roadmaps:
        for number, week in enumerate(roadmap.weeks, 1):
            linked = (f for t in week.topics for f in formulas.get(t, ()))
            for item_id in (*week.topics, *week.formulas, *week.drills, *linked):
                numbers = found.setdefault(item_id, {}).setdefault(roadmap.id, [])
                if not numbers or numbers[-1] != number:
                    numbers.append(number)
    return Coverage({item: {r: tuple(ns) for r, ns in plans.items()} for item, plans in found.items()})
