"""One build: the Anki deck, the card preview and a workbook per chosen plan, written into an output folder."""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import datetime
import functools
import gc
import multiprocessing
import multiprocessing.context
import re
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from prepexport.errors import OutputError, PrepexportError
from prepexport.files import Staging, clean_stale_temporaries
from prepexport.gc_pause import gc_paused
from prepexport.model import KnowledgeBase, Roadmap
from prepexport.progress import Progress, human_size

if TYPE_CHECKING:
    from prepexport.workbook import WorkbookReport

Paper = Literal["a4", "letter"]


@dataclass(frozen=True)
class BuildOptions:
    """Everything a build needs besides the knowledge base: values come from the CLI, never the environment."""

    stamps: Path  # the stamps file kept beside the source
    weeks: tuple[int, ...] | None = None  # the plans to print, by their number of weeks; None: every plan
    paper: Paper = "a4"
    start: datetime.date | None = None  # date of the first day; None prints blank date lines
    now: int | None = None  # mod time of new and changed notes (e.g. SOURCE_DATE_EPOCH); None: the current time
    new_stamps: bool = False  # start a new stamps file although the course was built before (costs learners)
    deck: bool = True  # write the Anki deck (and update the stamps)
    preview: bool = True  # write the card preview page
    jobs: int = 2  # worker processes laying out workbooks at once


@dataclass(frozen=True)
class BuildReport:
    """What a build wrote, as the lines the CLI prints."""

    outputs: tuple[Path, ...]
    lines: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    made: tuple[Made, ...] = ()
    repeated: tuple[str, ...] = ()  # lines that say the same on every build until the course changes them


def stamps_path(source: Path) -> Path:
    """Return the stamps file kept beside a source file, e.g. knowledge.stamps.json."""
    return source.with_name(f"{source.stem}.stamps.json")


def deck_path(kb: KnowledgeBase, out: Path) -> Path:
    """Return where the deck is written, e.g. output/ml-llm-interview-prep.apkg."""
    return out / f"{kb.meta.id}.apkg"


def workbook_path(kb: KnowledgeBase, roadmap: Roadmap, out: Path) -> Path:
    """Return where a plan's workbook is written, e.g. output/ml-llm-interview-prep-4-weeks.pdf."""
    return out / f"{kb.meta.id}-{len(roadmap.weeks)}-weeks.pdf"


def chosen_roadmaps(kb: KnowledgeBase, weeks: tuple[int, ...] | None) -> list[Roadmap]:
    """Return the plans to print (KeyError naming a number of weeks no plan has)."""
    if weeks is None:
        return list(kb.roadmaps)
    return [kb.roadmap_for(n) for n in weeks]


def build(kb: KnowledgeBase, out: Path, options: BuildOptions, progress: Progress | None = None) -> BuildReport:
    """Write the chosen outputs into `out` (raise PrepexportError or OSError on failure).

    All or nothing: every output and the stamps file are written to temporary files first and moved into place
    only when all of them are complete, so a failure (or an interrupt) leaves the previous build as it was.
    Several workbooks are laid out at once, in worker processes.
    """
    # The renderers are imported here, so loading and checking a source needs no PDF or Anki machinery.
    from prepexport.deck import build_deck
    from prepexport.preview import build_preview

    progress = progress or Progress()
    roadmaps = chosen_roadmaps(kb, options.weeks)
    out.mkdir(parents=True, exist_ok=True)
    for folder in {out, options.stamps.parent}:
        clean_stale_temporaries(folder)
    made: list[Made] = []
    lines: list[str] = []
    warnings: tuple[str, ...] = ()
    repeated: tuple[str, ...] = ()
    started = time.perf_counter()
    try:
        with Staging() as staging, contextlib.ExitStack() as workers:
            # The workbooks start first, in worker processes, and the deck and preview are built here meanwhile:
            # a deck error (stamps, images) still comes at once, and ends the workers before their files land.
            pending = _start_workbooks(kb, roadmaps, out, options, staging, workers)
            # The status line's thread starts only now: a process forked while another thread holds a lock (the
            # terminal's, say) inherits the lock held for good.
            progress.start()
            if options.deck:
                with progress.phase("deck"), gc_paused():
                    began = time.perf_counter()
                    deck = build_deck(
                        kb,
                        out,
                        stamps_path=options.stamps,
                        now=options.now,
                        new_stamps=options.new_stamps,
                        staging=staging,
                    )
                    made.append(Made("deck", deck.path, time.perf_counter() - began))
                lines += deck.lines()
                warnings = tuple(deck.warnings())
                repeated = tuple(deck.removed_lines())
            if options.preview:
                with progress.phase("card preview"), gc_paused():
                    began = time.perf_counter()
                    preview = build_preview(kb, out, stamps_path=options.stamps, staging=staging)
                    made.append(Made("card preview", preview.path, time.perf_counter() - began))
                lines += preview.lines()
            for done, (roadmap, target, result) in enumerate(pending):
                progress.update("workbooks", f"{done} of {len(pending)} done")
                report, seconds = result()
                lines += report.lines()
                made.append(Made(f"{len(roadmap.weeks)}-week workbook", target, seconds))
            progress.finish("workbooks")
    finally:
        progress.close()
    total = time.perf_counter() - started
    return BuildReport(tuple(m.path for m in made), (*lines, *summary(made, total)), warnings, tuple(made), repeated)


@dataclass(frozen=True)
class Made:
    """One output a build wrote and how long it took."""

    name: str
    path: Path
    seconds: float


def summary(made: list[Made], total: float) -> list[str]:
    """Return the closing lines: every output with its size and time, then the whole build's time."""
    if not made:
        return ["nothing to build"]
    width = max(len(str(m.path)) for m in made)
    rows = [f"  {m.path!s:<{width}}  {human_size(m.path.stat().st_size):>8}  {m.seconds:6.2f} s" for m in made]
    return ["outputs:", *rows, f"built in {total:.2f} s"]


Result = Callable[[], tuple["WorkbookReport", float]]


def _start_workbooks(
    kb: KnowledgeBase,
    roadmaps: list[Roadmap],
    out: Path,
    options: BuildOptions,
    staging: Staging,
    workers: contextlib.ExitStack,
) -> list[tuple[Roadmap, Path, Result]]:
    """Start laying out each workbook; return, per workbook, a call that waits for it and gives its report.

    Each workbook is written to its staged temporary file. With more than one, each goes to a worker process
    (a workbook is pure CPU work, and the machine has cores to spare); the files are moved into place with the
    build's other outputs.
    """
    targets = [(roadmap, workbook_path(kb, roadmap, out)) for roadmap in roadmaps]
    staged = [(roadmap, target, workers.enter_context(staging.replacing(target))) for roadmap, target in targets]
    jobs = min(options.jobs, len(roadmaps))
    pool = None
    if jobs > 1:
        # Entered after the temporary files, so it exits first: on a failure or a kill the workers are stopped
        # (queued jobs cancelled, running ones ended) before their temporary files are removed.
        pool = concurrent.futures.ProcessPoolExecutor(jobs, mp_context=_context(), initializer=_worker_signals)
        workers.push(functools.partial(_stop_pool, pool, {target.parent for _, target in targets}))
    pending: list[tuple[Roadmap, Path, Result]] = []
    for roadmap, target, temp in staged:
        if pool is not None:
            future = pool.submit(_workbook, kb, roadmap, temp, options.paper, options.start)
            pending.append((roadmap, target, functools.partial(_finished, future, target)))
        else:
            job = functools.partial(_workbook, kb, roadmap, temp, options.paper, options.start)
            pending.append((roadmap, target, functools.partial(_run_here, job, target)))
    return pending


def _worker_signals() -> None:
    """Leave a kill to the parent: a worker dies at once on SIGTERM or SIGHUP and ignores Ctrl+C.

    A forked worker inherits the parent's handlers; running them would unwind reportlab mid-layout, whose
    error wrapping turns the exit into a garbled failure the parent would report instead of the kill.
    """
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stop_pool(
    pool: concurrent.futures.ProcessPoolExecutor,
    folders: set[Path],
    kind: type[BaseException] | None,
    error: BaseException | None,
    trace: object,
) -> None:
    """Wait for the workers after a good build; after a failure or a kill, end them, then delete their files."""
    if kind is None:
        pool.shutdown(wait=True, cancel_futures=True)
        return
    processes = getattr(pool, "_processes", None) or {}  # no public way to end running jobs before 3.14
    for process in list(processes.values()):
        process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)
    for folder in folders:  # an ended worker leaves the file it was writing: its process is gone now
        clean_stale_temporaries(folder)


def _context() -> multiprocessing.context.BaseContext:
    """Fork where the platform has it (workers start at once, with everything imported); else spawn."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _workbook(
    kb: KnowledgeBase, roadmap: Roadmap, temp: Path, paper: Paper, start: datetime.date | None
) -> tuple[WorkbookReport | str, float]:
    """Lay out one workbook into `temp`; return its report (or why it failed, as text) and the seconds it took.

    Runs in a worker process: a failure comes back as a message, since not every exception survives the trip.
    """
    from reportlab.platypus.doctemplate import LayoutError

    from prepexport.workbook import build_workbook

    gc.enable()  # a worker forked during a paused phase inherits the pause; reportlab makes cyclic garbage
    began = time.perf_counter()
    try:
        report = build_workbook(kb, roadmap, temp, paper=paper, start=start)
    except LayoutError as error:  # something in the source is taller than a page
        return f"cannot lay out the workbook: {_layout_detail(error)}", 0.0
    except (PrepexportError, OSError) as error:
        return f"cannot write the workbook: {error}", 0.0
    return report, time.perf_counter() - began


def _finished(
    future: concurrent.futures.Future[tuple[WorkbookReport | str, float]], target: Path
) -> tuple[WorkbookReport, float]:
    return _checked(future.result(), target)


def _run_here(job: Callable[[], tuple[WorkbookReport | str, float]], target: Path) -> tuple[WorkbookReport, float]:
    return _checked(job(), target)


def _checked(result: tuple[WorkbookReport | str, float], target: Path) -> tuple[WorkbookReport, float]:
    """Return a workbook's report under its final name, or raise OutputError with why it failed."""
    report, seconds = result
    if isinstance(report, str):
        raise OutputError(f"{target}: {report}")
    return dataclasses.replace(report, path=target), seconds


def _layout_detail(error: Exception) -> str:
    """Say what did not fit in words an author can act on, without reportlab's object dumps."""
    text = " ".join(str(error).split())
    page = re.search(r"on page (\d+)", text)
    where = f" (page {page.group(1)})" if page else ""
    return f"one item is taller than a page{where}; shorten the longest text of that part of the course"
