"""`prepexport watch`: rebuild on every save, only the outputs the change affects, keeping the last good ones.

Each output has a fingerprint: a digest of the parts of the course it is made from. After a save the source is
loaded again; outputs whose fingerprint changed (or whose file is gone) are rebuilt, the others are left alone.
A source that does not load, or a build that fails, is reported and changes nothing: the last good outputs stay.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from prepexport.build import BuildOptions, build, chosen_roadmaps, deck_path, workbook_path
from prepexport.course.images import course_images
from prepexport.course.schedule import self_checks
from prepexport.errors import PrepexportError, SourceError
from prepexport.load import Loaded, load_file
from prepexport.model import KnowledgeBase, Roadmap
from prepexport.progress import Progress

Echo = Callable[[str, bool], None]  # (text, is_error)


def deck_fingerprint(kb: KnowledgeBase) -> str:
    """Digest what the deck is made from (the card preview too): every note's content, its plan weeks, images.

    Frameworks and the plans' goals, proofs and routines appear in the workbooks only.
    """
    plans = [(r.id, r.title, [(w.topics, w.formulas, w.drills) for w in r.weeks]) for r in kb.roadmaps]
    parts = (kb.meta, kb.areas, kb.topics, kb.formulas, kb.drills, kb.misconceptions, kb.references, plans, kb.labels)
    images = sorted(course_images(kb))
    return _digest(repr(parts), *(_file_digest(kb.root / image) for image in images))


def preview_fingerprint(kb: KnowledgeBase, deck: str) -> str:
    """Digest what the card preview is made from: the deck's parts and the headings of its weeks (`deck`'s digest)."""
    # The preview groups cards under the first plan's weeks, headed with each week's focus.
    return _digest(deck, repr([w.focus for w in kb.roadmaps[0].weeks] if kb.roadmaps else []))


def workbook_fingerprint(kb: KnowledgeBase, roadmap: Roadmap, options: BuildOptions) -> str:
    """Digest what one plan's workbook is made from: its plan, the course's items, and the cards it quotes."""
    # The workbook quotes only each topic's self-check questions from its cards (the schedule picks them).
    topics = [(dataclasses.replace(t, cards=()), self_checks(t, kb.labels)) for t in kb.topics]
    parts = (kb.meta, kb.areas, topics, kb.formulas, kb.drills, kb.misconceptions, kb.frameworks, kb.references)
    parts_and_words = (*parts, kb.labels)
    files = (_file_digest(kb.root / name) for name in sorted(_workbook_files(kb)))
    return _digest(repr(parts_and_words), repr(roadmap), options.paper, str(options.start), *files)


def _workbook_files(kb: KnowledgeBase) -> set[str]:
    """Return the files besides the source a workbook is made from: its images and the course's own fonts."""
    fonts = kb.meta.fonts
    return course_images(kb) | {
        f for f in (fonts.regular, fonts.bold, fonts.italic, fonts.bold_italic, fonts.mono) if f
    }


def fingerprints(kb: KnowledgeBase, out: Path, options: BuildOptions) -> dict[Path, str]:
    """Return each chosen output's path and fingerprint."""
    found: dict[Path, str] = {}
    if options.deck or options.preview:
        deck = deck_fingerprint(kb)
        if options.deck:
            found[deck_path(kb, out)] = deck
        if options.preview:
            from prepexport.preview import preview_path

            found[preview_path(kb, out)] = preview_fingerprint(kb, deck)
    for roadmap in chosen_roadmaps(kb, options.weeks):
        found[workbook_path(kb, roadmap, out)] = workbook_fingerprint(kb, roadmap, options)
    return found


def _digest(*parts: str) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part.encode("utf-8", "surrogatepass"))
        hasher.update(b"\0")
    return hasher.hexdigest()


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


class Watcher:
    """Rebuilds the outputs of one source; remembers what the last good build of each output was made from."""

    def __init__(
        self,
        source: Path,
        out: Path,
        options: Callable[[KnowledgeBase], BuildOptions],
        echo: Echo,
        progress: Callable[[], Progress] = Progress,
    ) -> None:
        self.source = source
        self.out = out
        self.options = options
        self.echo = echo
        self.progress = progress
        self.built: dict[Path, str] = {}  # output -> fingerprint of its last good build
        self.said: tuple[str, ...] = ()  # the lines of the last build that each build repeats until they change
        self.images: set[Path] = set()

    def rebuild(self) -> bool:
        """Load the source and rebuild what changed; report errors and keep the old outputs. Return success."""
        began = time.perf_counter()
        try:
            loaded = load_file(self.source)
        except SourceError as error:
            for problem in error.problems:
                self.echo(str(problem), True)
            self.echo(f"{self.source}: not rebuilt; the last good outputs are kept", True)
            return False
        for warning in loaded.warnings:
            self.echo(str(warning), True)
        return self._build(loaded, began)

    def _build(self, loaded: Loaded, began: float) -> bool:
        kb = loaded.kb
        self.images = {(kb.root / name).resolve() for name in _workbook_files(kb)}
        try:
            options = self.options(kb)
        except PrepexportError as error:
            self.echo(f"error: {error}", True)
            return False
        wanted = fingerprints(kb, self.out, options)
        stale = {path for path, digest in wanted.items() if self.built.get(path) != digest or not path.exists()}
        if not stale:
            self.echo(f"{self.source}: saved; no output changed ({time.perf_counter() - began:.2f} s)", False)
            return True
        weeks = tuple(
            len(r.weeks) for r in chosen_roadmaps(kb, options.weeks) if workbook_path(kb, r, self.out) in stale
        )
        from prepexport.preview import preview_path

        narrowed = dataclasses.replace(
            options,
            deck=deck_path(kb, self.out) in stale,
            preview=options.preview and preview_path(kb, self.out) in stale,
            weeks=weeks,
        )
        try:
            report = build(kb, self.out, narrowed, self.progress())
        except PrepexportError as error:
            self.echo(f"error: {error}", True)
            self.echo("not rebuilt; the last good outputs are kept", True)
            return False
        except OSError as error:
            self.echo(f"error: {self.out}: cannot write: {error.strerror or error}", True)
            return False
        for path in stale:
            self.built[path] = wanted[path]
        # The search for removed notes is long and the same on every save until a note is removed: say it once,
        # and again, whole (with where it is written), when it changes.
        said = report.repeated == self.said
        for line in report.lines:
            if not (said and line in report.repeated):
                self.echo(line, False)
        if report.repeated or narrowed.deck:
            self.said = report.repeated
        for caution in report.warnings:
            self.echo(caution, True)
        names = ", ".join(m.name for m in report.made)
        self.echo(f"rebuilt {names} in {time.perf_counter() - began:.2f} s", False)
        return True

    def relevant(self, changed: Iterable[Path]) -> bool:
        """Tell whether any changed file is the source or one of its images."""
        source = self.source.resolve()
        return any(path == source or path in self.images for path in (p.resolve() for p in changed))


def watch(watcher: Watcher, *, stop: threading.Event | None = None, debounce_ms: int = 200) -> None:
    """Build once, then rebuild after every save until interrupted (Ctrl+C) or `stop` is set."""
    import watchfiles

    folder = watcher.source.resolve().parent
    started = False
    # The folder is watched, not the file: editors often save by writing a new file and renaming it over.
    # The first (empty) yield comes once the watcher runs; building only then means no save goes unseen.
    for changes in watchfiles.watch(
        folder, stop_event=stop, debounce=debounce_ms, recursive=True, yield_on_timeout=True, rust_timeout=300
    ):
        if not started:
            started = True
            watcher.rebuild()
            watcher.echo(f"watching {watcher.source} (Ctrl+C stops)", False)
        elif changes and watcher.relevant(Path(path) for _, path in changes):
            watcher.rebuild()
