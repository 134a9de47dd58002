"""The Anki deck renderer: one .apkg that re-imports cleanly after every edit of the source.

Notes keep their GUID (from the author's ids) and change their mod time only when their content changes,
as recorded in a stamps file beside the source. See docs/anki.md.
"""

from prepexport.deck.build import DeckReport, NoteTypeCount, build_deck
from prepexport.deck.errors import DeckError, StampsError

__all__ = ["DeckError", "DeckReport", "NoteTypeCount", "StampsError", "build_deck"]
