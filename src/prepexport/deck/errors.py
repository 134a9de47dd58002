"""Errors the deck build reports to the user; being PrepexportErrors, the CLI prints them as messages."""

from __future__ import annotations

from prepexport.errors import PrepexportError


class DeckError(PrepexportError):
    """A problem that stops the deck build, with a message for the author."""


class StampsError(DeckError):
    """A stamps file that cannot be read, or a note type whose fields changed under the same id."""
