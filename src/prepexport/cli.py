"""The command line: each command loads the source and calls the core; errors become messages and exit codes."""

from __future__ import annotations

import calendar
import datetime
import os
import re
import signal
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Literal, NoReturn

import click

from prepexport import __version__
from prepexport.build import BuildOptions, stamps_path
from prepexport.build import build as run_build
from prepexport.course.kinds import CARD_KINDS, card_kind
from prepexport.errors import PrepexportError, SourceError, Terminated, printable
from prepexport.load import Loaded, load_file
from prepexport.model import KnowledgeBase, Roadmap
from prepexport.progress import Progress, counted

DEFAULT_SOURCE = Path("source/knowledge.yaml")
DEFAULT_OUT = Path("output")

WEEKS_HELP = "Which plan's workbook to write, by its number of weeks (N for a plan of N weeks), or 'all'."
PAPER_HELP = "Paper size of the workbooks (A4 or Letter, in any case)."
START_HELP = "Date of the first day (YYYY-MM-DD); without it the workbook has blank date lines."
OUT_HELP = "Folder to write into (default: output/)."


class StartDate(click.ParamType[datetime.datetime]):
    """A calendar date written YYYY-MM-DD; a date that does not exist says why rather than 'wrong format'."""

    name = "date"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> datetime.datetime:
        if isinstance(value, datetime.datetime):
            return value
        text = str(value).strip()
        parts = re.fullmatch(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", text)
        if parts is None:
            self.fail(f"'{text}' is not a date written YYYY-MM-DD, e.g. 2026-03-02", param, ctx)
        year, month, day = (int(p) for p in parts.groups())
        if not 1 <= month <= 12:
            self.fail(f"'{text}' has no month {month}: months run from 01 to 12", param, ctx)
        try:
            return datetime.datetime(year, month, day)
        except ValueError:
            last = calendar.monthrange(year, month)[1] if year >= 1 else 31
            month_name = datetime.date(2000, month, 1).strftime("%B")
            self.fail(f"'{text}' is not a date: {month_name} {year} has {last} days", param, ctx)


DATE = StartDate()
ONLY_HELP = (
    "Write only this output: deck (the .apkg, with its stamps), workbooks (the PDFs --weeks picks) or preview "
    "(the card preview page). Repeat to pick several; without it, all three are written."
)
OUTPUTS = ("deck", "workbooks", "preview")
NEW_STAMPS_HELP = (
    "Start a new stamps file when the course was built before but its stamps file is lost. Costs learners: "
    "every note gets a new mod time, so their next import replaces every edit they made in Anki. Prefer "
    "restoring the file from version control or 'prepexport stamps recover'."
)

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3

#: Where to report an internal error.
REPORT_BUGS = "report it with the command you ran and the source file (see README.md, 'Reporting a bug')"

source_argument = click.argument("source", required=False, type=click.Path(dir_okay=True, path_type=Path))


class _Guarded(click.Group):
    """A command group that turns an unexpected exception into one line naming it as a bug, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted; outputs and stamps are as they were before this build", err=True)
            sys.exit(130)
        except Exception as exc:  # the one place every unforeseen failure ends: a message, never a traceback
            if ctx.params.get("debug") or os.environ.get("PREPEXPORT_DEBUG"):
                raise
            detail = printable(" ".join(f"{type(exc).__name__}: {exc}".split()))[:300]
            click.echo(
                f"internal error (a bug in prepexport {__version__}): {detail}; outputs and stamps are as they "
                f"were. Please {REPORT_BUGS}; --debug shows the trace.",
                err=True,
            )
            sys.exit(EXIT_BUG)


@click.group(cls=_Guarded, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="prepexport")
@click.option("--debug", is_flag=True, help="Show the full trace of an internal error.")
def main(debug: bool) -> None:
    """Compile a YAML knowledge base into an Anki deck and a printable workbook per plan of N weeks.

    Exit codes: 0 success, 1 invalid source or failed build, 2 usage error, 3 internal error (a bug: please
    report it).
    """


@main.command()
@source_argument
def check(source: Path | None) -> None:
    """Validate the source; print counts per kind and any warnings."""
    path = source or DEFAULT_SOURCE
    loaded = _load(path)
    for warning in loaded.warnings:
        click.echo(str(warning), err=True)
    click.echo(printable(f"{path}: valid"))
    for line in summary(loaded.kb):
        click.echo(f"  {line}")
    click.echo(counted(len(loaded.warnings), "warning"))


def _build_options(f: Callable[..., None]) -> Callable[..., None]:
    """Add the options `build` and `watch` share."""
    for option in reversed(
        (
            click.option(
                "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None, help=OUT_HELP
            ),
            click.option("--only", type=click.Choice(OUTPUTS), multiple=True, help=ONLY_HELP),
            click.option("--weeks", default="all", show_default=True, metavar="N|all", help=WEEKS_HELP),
            click.option(
                "--paper",
                type=click.Choice(["a4", "letter"], case_sensitive=False),
                default="a4",
                show_default=True,
                help=PAPER_HELP,
            ),
            click.option(
                "--start",
                type=DATE,
                default=None,
                metavar="YYYY-MM-DD",
                help=START_HELP,
            ),
            click.option("--new-stamps", is_flag=True, help=NEW_STAMPS_HELP),
        )
    ):
        f = option(f)
    return f


@main.command()
@source_argument
@_build_options
def build(
    source: Path | None,
    out_dir: Path | None,
    only: tuple[str, ...],
    weeks: str,
    paper: Literal["a4", "letter"],
    start: datetime.datetime | None,
    new_stamps: bool,
) -> None:
    """Write the Anki deck, the workbooks and the card preview into the output folder."""
    path = source or DEFAULT_SOURCE
    out = out_dir or DEFAULT_OUT
    _check_start(start)
    loaded = _load(path)
    options = _options(loaded.kb, path, only, weeks, paper, start, new_stamps)
    for warning in loaded.warnings:
        click.echo(str(warning), err=True)
    # A polite kill unwinds like an error: the build's temporary files go, the previous outputs stay.
    previous = {number: signal.signal(number, _terminated) for number in _KILLS}
    try:
        report = run_build(loaded.kb, out, options, Progress(sys.stderr))
    except Terminated:
        click.echo("terminated; outputs and stamps are as they were before this build", err=True)
        sys.exit(128 + (_received[-1] if _received else signal.SIGTERM))
    except PrepexportError as exc:
        _fail(str(exc), EXIT_INVALID)
    except OSError as exc:
        _fail(f"{out}: cannot write: {exc.strerror or exc}", EXIT_INVALID)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    for line in report.lines:
        click.echo(printable(line))  # paths come from the user and may hold anything
    for caution in report.warnings:
        click.echo(printable(caution), err=True)


@main.command()
@source_argument
@_build_options
def watch(
    source: Path | None,
    out_dir: Path | None,
    only: tuple[str, ...],
    weeks: str,
    paper: Literal["a4", "letter"],
    start: datetime.datetime | None,
    new_stamps: bool,
) -> None:
    """Build, then rebuild after every save of the source (or of its images) until Ctrl+C.

    Only the outputs a change affects are rebuilt. A source with errors is reported and changes nothing: the
    last good outputs stay.
    """
    from prepexport.watch import Watcher
    from prepexport.watch import watch as run_watch

    path = source or DEFAULT_SOURCE
    out = out_dir or DEFAULT_OUT
    _check_start(start)
    if not path.is_file():
        _fail(f"{path}: no such file to watch", EXIT_USAGE)

    def options(kb: KnowledgeBase) -> BuildOptions:
        return _options(kb, path, only, weeks, paper, start, new_stamps, fail=_usage_error)

    def echo(text: str, error: bool) -> None:
        click.echo(text, err=error)

    # A polite kill stops watching like Ctrl+C: a build under way unwinds, and the last good outputs stay.
    for number in _KILLS:
        signal.signal(number, _interrupt)
    try:
        run_watch(Watcher(path, out, options, echo, lambda: Progress(sys.stderr)))
    except KeyboardInterrupt:
        click.echo("stopped watching")


class _UsageError(PrepexportError):
    """An option that does not fit the course being watched (say --weeks 6 after its plan was removed)."""


def _usage_error(message: str, code: int) -> NoReturn:
    raise _UsageError(message)


def _check_start(start: datetime.datetime | None) -> None:
    if start and not 1900 <= start.year <= 9000:  # a plan's dates must stay within the calendar
        _fail(f"--start {start.date()}: give a date between the years 1900 and 9000", EXIT_USAGE)


def _options(
    kb: KnowledgeBase,
    path: Path,
    only: tuple[str, ...],
    weeks: str,
    paper: Literal["a4", "letter"],
    start: datetime.datetime | None,
    new_stamps: bool,
    fail: Callable[[str, int], NoReturn] | None = None,
) -> BuildOptions:
    """Turn the command line's choices into build options for this course."""
    wanted = set(only or OUTPUTS)
    # Checked even when no workbook is written: a --weeks the course has no plan for is a mistake either way.
    roadmaps = _pick_roadmaps(kb, weeks, fail or _fail)
    if "workbooks" not in wanted:
        roadmaps = []
    return BuildOptions(
        stamps=stamps_path(path),
        weeks=tuple(len(r.weeks) for r in roadmaps),
        paper=paper,
        start=start.date() if start else None,
        now=_source_date_epoch(),
        new_stamps=new_stamps,
        deck="deck" in wanted,
        preview="preview" in wanted,
    )


@main.group(short_help="Recover a lost stamps file from a published package.")
def stamps() -> None:
    """Look after the stamps file that keeps learners' edits safe (see docs/anki.md)."""


@stamps.command()
@click.argument("package", type=click.Path(dir_okay=False, path_type=Path))
@source_argument
@click.option("--force", is_flag=True, help="Replace an existing stamps file.")
def recover(package: Path, source: Path | None, force: bool) -> None:
    """Rebuild a lost stamps file from the last package published (PACKAGE, an .apkg) of SOURCE's course."""
    from prepexport.deck.recover import recover_stamps
    from prepexport.deck.stamps import dump_stamps
    from prepexport.files import write_atomically

    path = source or DEFAULT_SOURCE
    loaded = _load(path)
    target = stamps_path(path)
    try:  # the package first: --force is worth suggesting only for a package that would be used
        result = recover_stamps(loaded.kb, package)
    except PrepexportError as exc:
        _fail(str(exc), EXIT_INVALID)
    if target.exists() and not force:
        _fail(f"{target} exists; pass --force to replace it with stamps rebuilt from {package}", EXIT_USAGE)
    try:
        write_atomically(target, dump_stamps(result.stamps).encode())
    except PrepexportError as exc:
        _fail(str(exc), EXIT_INVALID)
    except OSError as exc:
        _fail(f"{target}: cannot write: {exc.strerror or exc}", EXIT_INVALID)
    click.echo(
        printable(
            f"wrote {target}: {counted(result.matched, 'note')} stamped as in {package}, "
            f"{result.removed} removed since, {result.missing} not in it (new at the next build)"
        )
    )


@main.command()
def schema() -> None:
    """Print the JSON Schema of the source format."""
    from prepexport.schema import schema_text

    click.echo(schema_text(), nl=False)


def summary(kb: KnowledgeBase) -> list[str]:
    """Return one line per kind of item with its count."""
    cards = Counter(card_kind(card) for topic in kb.topics for card in topic.cards)
    card_detail = ", ".join(f"{cards[kind]} {kind}" for kind in CARD_KINDS)
    plans = ", ".join(f"{r.id} ({counted(len(r.weeks), 'week')})" for r in kb.roadmaps) or "none"
    return [
        counted(len(kb.areas), "area"),
        counted(len(kb.topics), "topic"),
        f"{counted(sum(cards.values()), 'card')} ({card_detail})",
        counted(len(kb.formulas), "formula"),
        counted(len(kb.drills), "drill"),
        counted(len(kb.misconceptions), "misconception"),
        counted(len(kb.frameworks), "framework"),
        f"{counted(len(kb.roadmaps), 'roadmap')}: {plans}",
        counted(len(kb.references), "reference"),
    ]


def _pick_roadmaps(kb: KnowledgeBase, weeks: str, fail: Callable[[str, int], NoReturn] | None = None) -> list[Roadmap]:
    fail = fail or _fail
    available = ", ".join(str(len(r.weeks)) for r in kb.roadmaps) or "none"
    if weeks == "all":
        return list(kb.roadmaps)
    if not re.fullmatch(r"[1-9][0-9]{0,3}", weeks):  # written as the plan lengths are: no sign, no leading zero
        fail(
            f"--weeks must be a number of weeks (plain digits, no leading zero) or 'all', not "
            f"{printable(repr(weeks[:20]))}",
            EXIT_USAGE,
        )
    try:
        return [kb.roadmap_for(int(weeks))]
    except KeyError:
        fail(f"--weeks {weeks}: no roadmap has {weeks} weeks (available: {available})", EXIT_USAGE)


def _source_date_epoch() -> int | None:
    """Return SOURCE_DATE_EPOCH, the fixed build time of reproducible builds, if set."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    if value.isascii() and value.isdigit() and len(value) <= 12:
        return int(value)
    shown = repr(value[:40] + ("…" if len(value) > 40 else ""))
    _fail(f"SOURCE_DATE_EPOCH must be whole seconds since 1970, not {shown}", EXIT_INVALID)


def _load(path: Path) -> Loaded:
    try:
        return load_file(path)
    except SourceError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        _fail(f"{path}: {counted(len(exc.problems), 'error')}; nothing was written", EXIT_INVALID)


def _interrupt(signum: int, frame: object) -> NoReturn:
    raise KeyboardInterrupt


#: The polite kills a build unwinds on: `kill` and a closed terminal.
_KILLS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))

#: The kills received, for the exit status (128 + the signal's number, as the shell reports a kill).
_received: list[int] = []


def _terminated(signum: int, frame: object) -> NoReturn:
    """Unwind the build; further kills are ignored so the cleanup of temporary files always completes."""
    _received.append(signum)
    for number in _KILLS:
        signal.signal(number, signal.SIG_IGN)
    raise Terminated


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"error: {printable(message)}", err=True)
    sys.exit(code)
