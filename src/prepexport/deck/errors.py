"""Errors the deck build reports to the user; being PrepexportErrors, the CLI prints them as messages."""

from __future__ import annotations

from collections.abc import Sequence

from prepexport.errors import PrepexportError


class DeckError(PrepexportError):
    """A problem that stops the deck build, with a message for the author."""


class MediaError(DeckError):
    """Images referenced by cards that are missing or outside the source folder."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = tuple(problems)


class StampsError(DeckError):
    """A stamps file that cannot be read, or a note type whose fields changed under the same id."""
