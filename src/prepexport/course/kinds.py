"""The one table of card and note kinds; renderers match on it exhaustively, so a new kind is a type error."""

from __future__ import annotations

from typing import Literal, assert_never, get_args

from prepexport.model import BasicCard, Card, ClozeCard, ReversibleCard

#: The kinds of topic card an author can write.
CardKind = Literal["basic", "reversible", "cloze"]

#: Every kind of Anki note the deck holds: the card kinds plus one per formula, drill and misconception.
Kind = Literal["basic", "reversible", "cloze", "formula", "drill", "misconception"]

CARD_KINDS: tuple[CardKind, ...] = get_args(CardKind)
KINDS: tuple[Kind, ...] = get_args(Kind)


def card_kind(card: Card) -> CardKind:
    """Return the kind of a topic card (a new Card type makes `assert_never` fail type checking here)."""
    match card:
        case BasicCard():
            return "basic"
        case ReversibleCard():
            return "reversible"
        case ClozeCard():
            return "cloze"
        case _:
            assert_never(card)
