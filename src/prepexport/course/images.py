"""The images a course uses: each card's and each drill's, with the words that describe them."""

from __future__ import annotations

from dataclasses import dataclass

from prepexport.model import KnowledgeBase, Topic


@dataclass(frozen=True)
class Figure:
    """An image to show: its path relative to the source file and its alt text."""

    path: str
    alt: str


def topic_figures(topic: Topic) -> list[Figure]:
    """Return the images of a topic's cards, each once, in card order."""
    seen: dict[str, Figure] = {}
    for card in topic.cards:
        if card.image and card.image not in seen:
            seen[card.image] = Figure(card.image, card.image_alt)
    return list(seen.values())


def course_images(kb: KnowledgeBase) -> set[str]:
    """Return the path of every image the course uses, cards' and drills' alike."""
    found = {f.path for topic in kb.topics for f in topic_figures(topic)}
    found |= {drill.image for drill in kb.drills if drill.image}
    return found
