"""Section numbers: topic 7 of week 1 is section 1.7 of that plan, in the workbook and on the deck alike."""

from __future__ import annotations

from dataclasses import dataclass

from prepexport.model import Roadmap


@dataclass(frozen=True, order=True)
class Section:
    """Where a topic is taught in one plan: its week and its place in that week (both 1-based)."""

    week: int
    index: int

    @property
    def label(self) -> str:
        """Return the printed number, e.g. 1.7."""
        return f"{self.week}.{self.index}"


def sections(roadmap: Roadmap) -> dict[str, tuple[Section, ...]]:
    """Return, per topic id, the sections it is taught in by this plan, in order."""
    found: dict[str, list[Section]] = {}
    for number, week in enumerate(roadmap.weeks, 1):
        for index, topic_id in enumerate(week.topics, 1):
            found.setdefault(topic_id, []).append(Section(number, index))
    return {topic_id: tuple(numbers) for topic_id, numbers in found.items()}
