"""The Anki tags notes carry: tier, area, topic and each plan week, under the course's tag root."""

from __future__ import annotations

from prepexport.model import KnowledgeBase, Topic

#: The root of every tag, e.g. prep::tier::1, prep::area::rag, prep::four-week::week-02.
TAG_ROOT = "prep"


def tag_root(kb: KnowledgeBase) -> str:
    """Return the root every tag of this course starts with."""
    return TAG_ROOT


def week_tag(root: str, roadmap_id: str, number: int) -> str:
    """Return the tag of one week of a plan, e.g. prep::four-week::week-02."""
    return f"{root}::{roadmap_id}::week-{number:02d}"


def note_tags(root: str, topic: Topic | None, weeks: dict[str, tuple[int, ...]]) -> tuple[str, ...]:
    """Return a note's tags, sorted: its topic's tier, area and id, and each plan week that covers it."""
    tags: list[str] = []
    if topic:
        tags += [f"{root}::tier::{topic.tier}", f"{root}::area::{topic.area}", f"{root}::topic::{topic.id}"]
    for roadmap_id, numbers in sorted(weeks.items()):
        tags += [week_tag(root, roadmap_id, n) for n in numbers]
    return tuple(sorted(tags))
