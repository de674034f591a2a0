"""What every command shares: the context (config and store, each loaded once), the
one way to fail with a line and an exit code, error handling, and argument parsing that
several commands need (dates, article ids)."""

from __future__ import annotations

import errno
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from briefing import clock, config, locations
from briefing.errors import BriefingError
from briefing.exit_codes import ExitCode
from briefing.text import one_line

F = TypeVar("F", bound=Callable[..., Any])


FACT_HELP = (
    "Filter by fact: KIND OP VALUE, repeatable. KIND is money, percent, measure, count, "
    "duration, date, org, person or place; OP is =, !=, >, >=, <, <=. Examples: --fact org=Nvidia "
    "--fact 'money>1e9' (amounts compare in the stated currency; 5bn and 1e9 both work)."
)


class Context:
    def __init__(self, db: str | None, config_path: str | None) -> None:
        self.db_arg = db
        self.config_path = Path(config_path) if config_path else locations.config_file()
        # A file the user named (--config or $BRIEFING_CONFIG) must exist; the default need not.
        self.config_named = bool(config_path or os.environ.get("BRIEFING_CONFIG"))
        self._settings: config.Settings | None = None

    @property
    def settings(self) -> config.Settings:
        if self._settings is None:
            try:
                self._settings = config.load(self.config_path, required=self.config_named)
            except config.ConfigError as exc:
                fail(str(exc), ExitCode.CONFIG)
        return self._settings

    @property
    def db_path(self) -> Path:
        try:
            return locations.db_path(self.db_arg)
        except OSError as exc:
            fail(f"cannot create the database folder: {exc}", ExitCode.STORE)

    @contextmanager
    def store(self) -> Iterator[Any]:
        from briefing.store import Store, StoreError

        # Every command that touches the store checks the whole config first, the same way,
        # so a bad file is refused by `list` as it is by `fetch` (the result is kept: once).
        _ = self.settings
        if sys.stderr.isatty():
            from briefing.store.store import SCHEMA_VERSION, pending_upgrade

            if (old := pending_upgrade(self.db_path)) is not None:
                # Said at a terminal only: cron would mail it. Seconds at 100,000 articles.
                click.echo(f"briefing: upgrading {self.db_path} from schema {old} to "
                           f"{SCHEMA_VERSION} (once; a large database takes a while)",
                           err=True)
        try:
            store = Store(self.db_path)
        except StoreError as exc:
            fail(str(exc), ExitCode.STORE)
        try:
            yield store
        finally:
            store.close()


def fail(message: str, code: ExitCode) -> NoReturn:
    click.echo(f"briefing: error: {one_line(message, 1000)}", err=True)
    sys.exit(int(code))


def stdout_gone() -> NoReturn:
    """The reader of our output went away (`briefing list | head -1`): stop quietly with 0,
    as git and ripgrep do, since the output was wanted only that far."""
    # What is still buffered goes to devnull, or the interpreter's last flush would print
    # "Exception ignored ... BrokenPipeError" and exit 120.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass  # stdout is no file (an embedding caller's): nothing of ours is left to flush
    sys.exit(int(ExitCode.OK))


# What a write to a full disk or a broken device raises. A write of ours to a file names it
# (exc.filename); a write to standard output names none.
_WRITE_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})


def output_failed(exc: OSError) -> bool:
    """Whether `exc` is standard output that cannot be written (`brief > file` on a full
    disk), not the database or a named file."""
    return exc.filename is None and exc.errno in _WRITE_ERRORS


def stdout_unwritable(exc: OSError) -> NoReturn:
    """Standard output cannot take what we write (a full disk under `brief > file`): one line
    and exit 2, a file that cannot be written. What is still buffered goes to devnull, or the
    interpreter's last flush would print a traceback after the line."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
    fail(f"cannot write the output: {exc.strerror or exc}", ExitCode.USAGE)


class Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        # Every command's output passes through here, so one catch covers them all (click
        # would exit 1 on a closed stdout, and handles_errors lets it through to here).
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            stdout_gone()
        except OSError as exc:
            if not output_failed(exc):
                raise
            stdout_unwritable(exc)
        except KeyboardInterrupt:
            # click would print "Aborted!" and exit 1, the code of a run where some sources
            # failed: cron could not tell a stopped run from a finished one.
            code = ExitCode.TERMINATED if _terminated else ExitCode.INTERRUPTED
            click.echo(f"briefing: {'terminated' if _terminated else 'interrupted'}; what "
                       "was stored before it is kept", err=True)
            raise click.exceptions.Exit(int(code)) from None


_terminated = False  # a SIGTERM arrived (see stop_on_sigterm)


@contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """SIGTERM stops the run as Ctrl-C does (its transaction rolled back, its workers shut
    down, a line and an exit code) instead of killing it where it stands, with the resource
    tracker's warnings about leaked semaphores as its last words."""
    def on_term(signum: int, frame: Any) -> None:
        global _terminated
        if _terminated:
            # The run is already stopping: a second SIGTERM (a supervisor that repeats it)
            # made asyncio raise inside the loop, its force-quit, with tracebacks. SIGKILL
            # remains for that.
            return
        _terminated = True
        interrupt = signal.getsignal(signal.SIGINT)
        if callable(interrupt):  # asyncio's (cancels the run's task), else Python's own
            interrupt(signal.SIGINT, frame)
        else:  # SIGINT ignored (a background job of a script): SIGTERM must still stop it
            raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def stops_deferred() -> Iterator[None]:
    """Ctrl-C and SIGTERM arriving inside this block stop the run at its end, the usual way
    (a KeyboardInterrupt: see Group.invoke). For the fetch's imports and the fork server's
    start: an exception a signal handler raises in the middle of an import breaks it in odd
    ways instead of stopping the run (under load, 1 run in 12 of a test that sends SIGTERM
    as the workers start: a TypeError out of ssl's own `from _ssl import RAND_egd`, or an
    exit by SIGINT after the right line was printed)."""
    got: list[int] = []

    def note(signum: int, _frame: Any) -> None:
        got.append(signum)

    # A SIGINT ignored (a script's background job) stays ignored.
    stops = [s for s in (signal.SIGINT, signal.SIGTERM) if signal.getsignal(s) != signal.SIG_IGN]
    before = {s: signal.signal(s, note) for s in stops}
    try:
        yield
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)
    if got:
        global _terminated
        _terminated = _terminated or signal.SIGTERM in got
        raise KeyboardInterrupt


MIN_ID_PREFIX = 4  # shorter prefixes name too many articles to be worth resolving


def resolve_article_id(store: Any, given: str, *, noun: str = "article") -> str:
    """The article id `given` names: the id itself or, as git takes abbreviated hashes, a
    unique prefix of at least MIN_ID_PREFIX characters. Anything else is a usage error
    naming the candidates. Every command that takes an article id resolves it here."""
    found = store.match_article_ids(given, limit=6) if given.strip() else []
    if found == [given]:
        return given
    if not found:
        fail(f"no {noun} with id {given!r}", ExitCode.USAGE)
    if len(given) < MIN_ID_PREFIX:
        fail(f"article id {given!r} is too short: give at least {MIN_ID_PREFIX} characters",
             ExitCode.USAGE)
    if len(found) > 1:
        shown = ", ".join(found[:5]) + (", ..." if len(found) > 5 else "")
        fail(f"article id {given!r} is ambiguous: it may be {shown}", ExitCode.USAGE)
    return str(found[0])


def handles_errors(fn: F) -> F:
    """Turn expected failures deep in a command into one line and the right exit code."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except BriefingError as exc:  # each carries its own exit code
            fail(str(exc), exc.exit_code)
        except BrokenPipeError:
            raise  # stdout closed by its reader: not a store error (see Group)
        except OSError as exc:
            if output_failed(exc):
                stdout_unwritable(exc)
            fail(f"{getattr(exc, 'filename', '') or ''} {exc.strerror or exc}".strip(),
                 ExitCode.STORE)

    return wrapper  # type: ignore[return-value]


def parse_since(value: str | None) -> str | None:
    """A --since value (YYYY-MM-DD, an ISO timestamp, `today` or `yesterday`) as the stored
    timestamps' prefix form (UTC), which compares correctly with them as text; a date or time
    without an offset is local time. Anything else is a usage error. Every command's --since
    goes through here."""
    if value is None:
        return None
    # `today` and `yesterday` spare a crontab line `$(date -d yesterday +\%F)`: GNU date's
    # -d, and a % that cron turns into a newline unless escaped.
    days_ago = SINCE_WORDS.get(value.strip().lower())
    if days_ago is not None:
        return clock.local_midnight_utc(days_ago).strftime("%Y-%m-%dT%H:%M:%S")
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        fail(f"bad date {value!r}: expected a date like 2025-01-31, today or yesterday",
             ExitCode.USAGE)
    # Stored times are UTC. A date is a day of the user's calendar (`date +%F` in a crontab
    # gives the local day): read as UTC it began 7 hours late in Hanoi and 14 at Kiritimati,
    # and an offset written out (`T00:00+07:00`) was dropped.
    return clock.as_utc(when).strftime("%Y-%m-%dT%H:%M:%S")


SINCE_WORDS = {"today": 0, "yesterday": 1}


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
