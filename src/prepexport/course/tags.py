"""The Anki tags notes carry: tier, area, topic and each plan week, under the course's tag root.

For example prep::tier::1, prep::area::rag, prep::four-week::week-02 for a course whose root is `prep`.
"""

from __future__ import annotations

from prepexport.model import KnowledgeBase, Topic


def tag_root(kb: KnowledgeBase) -> str:
    """Return the root every tag of this course starts with: meta.tag_root, else meta.id.

    Each course has its own root, so two courses in one collection never share a tag such as `tier::1`.
    """
    return kb.meta.tag_root or kb.meta.id


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
