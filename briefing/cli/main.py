"""The `briefing` command group: options every command shares, `read` (the TUI), `locate`
and `fetch`; the other commands live in a module per group and are added here, so no
command module imports this one (and none imports another)."""

from __future__ import annotations

import faulthandler
import gc
import logging
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from briefing import __version__, clock, jsonout, procpool
from briefing.cli import articles, feeds, stories, translate, write
from briefing.cli.common import (
    Context,
    Group,
    fail,
    handles_errors,
    stop_on_sigterm,
    stops_deferred,
)
from briefing.config import Settings
from briefing.errors import BriefingError
from briefing.exit_codes import ExitCode
from briefing.store import Store
from briefing.text import one_line


@click.group(cls=Group, invoke_without_command=True)
@click.option("--db", metavar="PATH", help="Database file [env BRIEFING_DB].")
@click.option("--config", "config_path", metavar="PATH", help="Config file [env BRIEFING_CONFIG].")
@click.option("-v", "--verbose", count=True, help="More diagnostics on stderr (-vv for debug).")
@click.version_option(__version__, prog_name="briefing")
@click.pass_context
def cli(ctx: click.Context, db: str | None, config_path: str | None, verbose: int) -> None:
    """Terminal news briefings: feeds in, clean articles, key facts, translations.

    With no command, opens the reader (the same as `briefing read`). For cron: `briefing
    fetch --help` has a crontab line, and `briefing locate` the full path it needs.
    """
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="briefing: %(message)s", stream=sys.stderr)
    if not verbose:
        # A library's own warnings and errors ("discarding data: URL", "lxml parsing failed:
        # Document is empty") are about one document and name no source: the source's one
        # failure line says what went wrong. -v shows them.
        for name in ("trafilatura", "htmldate", "courlan", "justext"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
    ctx.obj = Context(db, config_path)
    if ctx.invoked_subcommand is None:
        ctx.invoke(read)


@cli.command()
@click.pass_obj
def read(obj: Context) -> None:
    """Open the reader (Textual TUI)."""
    settings = obj.settings
    path = obj.db_path
    with obj.store():
        pass  # open once here so a bad database fails with a message, not inside the TUI
    from briefing.tui import run  # deferred: Textual costs ~150 ms to import

    code = run(path, settings)
    if code:
        raise SystemExit(code)


@cli.command()
@click.pass_obj
def locate(obj: Context) -> None:
    """Print the config file, database and command paths in use (the command's full path is
    what a crontab line needs: cron's PATH is /usr/bin:/bin)."""
    click.echo(f"config: {obj.config_path}")
    click.echo(f"database: {obj.db_path}")
    click.echo(f"command: {_command_path()}")


def _command_path() -> str:
    """How to run this briefing again from anywhere: the script that started it, else the
    one installed beside this interpreter, else the interpreter with `-m briefing`."""
    started = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if started is not None and started.suffix != ".py" and started.is_file():
        return str(started.absolute())
    beside = Path(sys.executable).with_name("briefing")
    if beside.is_file():
        return str(beside)
    return f"{sys.executable} -m briefing"


@cli.command()
@click.option("--dry-run", is_flag=True, help="Say what would be deleted; delete nothing.")
@click.option("--keep-days", type=click.IntRange(0, 100_000), metavar="N",
              help="Instead of [store] keep_days.")
@click.option("--max-per-feed", type=click.IntRange(0, 100_000_000), metavar="N",
              help="Instead of [store] max_per_feed.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@handles_errors
def prune(obj: Context, dry_run: bool, keep_days: int | None, max_per_feed: int | None,
          as_json: bool) -> None:
    """Delete articles older than [store] keep_days, and past the newest max_per_feed of
    each feed (newsboat's keep-articles-days and max-items). Starred articles and the
    stories they belong to are kept; `briefing fetch` does the same after each run.
    VACUUM runs when more than a quarter of the file is free after it."""
    from datetime import UTC, datetime

    days = obj.settings.store.keep_days if keep_days is None else keep_days
    most = obj.settings.store.max_per_feed if max_per_feed is None else max_per_feed
    if not days and not most:
        fail("prune: nothing to do: set [store] keep_days or max_per_feed in the config "
             "(or pass --keep-days / --max-per-feed)", ExitCode.USAGE)
    with obj.store() as store:
        report = store.prune(keep_days=days, max_per_feed=most, now=datetime.now(UTC),
                             dry_run=dry_run)
    if as_json:
        click.echo(jsonout.dumps({"dry_run": dry_run, **report.as_dict()}, indent=2,
                              ensure_ascii=False))
        return
    verb = "would delete" if dry_run else "deleted"
    click.echo(f"{verb} {report.articles} articles"
               + (f" from {len(report.by_source)} feeds" if report.by_source else "")
               + (f"; {report.stories} stories left empty" if report.stories else ""))
    for source, n in sorted(report.by_source.items(), key=lambda kv: (-kv[1], kv[0])):
        click.echo(f"  {n:6d}  {one_line(source, 200)}")
    if report.vacuumed:
        click.echo(f"VACUUM gave back {report.freed_mb:.1f} MB")
    if report.note:
        click.echo(f"briefing: {report.note}", err=True)


# Fetches looked back on by _will_parse: one quiet cycle between two busy ones (feeds that
# publish hourly, polled every half hour) does not turn the early start off.
RECENT_RUNS = 2


def _will_parse(settings: Settings, store: Store, n_sources: int) -> bool:
    """Whether a fetch of `n_sources` will probably use worker processes: enough sources for
    a pool, more than one worker, and either no fetch yet (a first, cold one) or one of the
    last RECENT_RUNS brought something. After that many quiet cycles, a cycle starts no
    worker until a body to parse arrives, as before; a quiet cycle that guessed wrong pays
    for a fork server it does not use (~0.4 s of CPU on the other core, ~0.1 s of its
    time)."""
    if n_sources < procpool.POOL_THRESHOLD or procpool.worker_count(settings.fetch.workers) <= 1:
        return False
    return store.recent_runs_brought(RECENT_RUNS) is not False


@cli.command()
@click.argument("sources", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="No summary: only a line per failed source "
                                                   "on stderr (for cron).")
@click.option("--no-extract", is_flag=True, help="Keep teasers; do not fetch linked pages.")
@click.option("--translate/--no-translate", "translate_new", default=None,
              help="Translate the articles this run stores, with their bullets and summary "
                   "[config: translation.auto].")
@click.pass_obj
@handles_errors
def fetch(obj: Context, sources: tuple[str, ...], as_json: bool, quiet: bool,
          no_extract: bool, translate_new: bool | None) -> None:
    """Fetch, clean, tag and store articles.

    A SOURCE is a feed URL (http/https), an OPML file, a local feed file, a local article
    (HTML, text, Markdown) or a directory (walked recursively). With no SOURCE, the
    configured feeds (`briefing feeds add`, and [[feeds]] in the config file).

    With --translate (or [translation] auto = true) the articles the run stores are
    translated too, with their bullets and summary, so `briefing brief` has finished posts;
    an article the engine fails on is one line on stderr and exit code 1.

    Exit codes: 0 all good, 1 some sources (or translations) failed, 2 usage, 3 config,
    4 store, 130 interrupted (Ctrl-C), 143 terminated (SIGTERM).

    \b
    From cron, silent unless a source fails (cron's PATH is /usr/bin:/bin: give
    the full path, which `briefing locate` prints):
      */30 * * * *  /path/to/briefing fetch --quiet 2>> $HOME/briefing.log

    Two runs at once, or a run while the reader is open, are safe; a run killed part way
    (by a timeout) keeps what it stored, and the next run finishes its tagging.
    """
    if any(not s.strip() for s in sources):
        # `briefing fetch "$FEED"` with $FEED unset: as a path, "" is the current folder, and
        # every text file under it (a home folder) became an article.
        fail("empty source: pass a feed URL or a file (`.` for the current folder)",
             ExitCode.USAGE)
    settings = obj.settings
    if translate_new is None:
        translate_new = settings.translation.auto
    engine = translate.fetch_engine(settings) if translate_new else None
    stored: list[str] = []
    tty = sys.stderr.isatty() and not quiet and not as_json
    progress = _progress_printer() if tty else None
    translated, not_translated = 0, list[tuple[str, str]]()
    with obj.store() as store:
        subscribed = len(store.list_sources()) if not sources else 0
        if not sources and not subscribed and not settings.feeds:
            fail("no sources: pass a SOURCE, or add feeds with `briefing feeds add URL`",
                 ExitCode.USAGE)
        # The translation after the fetch too: cron's `timeout` may come in either; and the
        # fork server's start before it.
        with stop_on_sigterm():
            with stops_deferred():
                if _will_parse(settings, store,
                               len(sources) or subscribed + len(settings.feeds)):
                    procpool.prestart()
                from briefing.pipeline import AFTER_STORE, run_fetch

            hooks = (*AFTER_STORE, lambda _s, arts, _sig: stored.extend(a.id for a in arts)) \
                if translate_new else AFTER_STORE
            report = run_fetch(settings, store, list(sources), on_progress=progress,
                               extract=False if no_extract else None, after_store=hooks)
            if progress is not None:
                click.echo("\r\033[K", err=True, nl=False)
            for source, reason in report.failed:
                click.echo(f"briefing: {one_line(source, 300)}: {one_line(reason, 300)}",
                           err=True)
            if engine is not None:
                translated, not_translated = translate.translate_fetched(
                    settings, store, engine, stored, progress=tty)
    failed = bool(report.failed or not_translated)
    if as_json:
        out = report.as_dict()
        if engine is not None:
            out["translated"] = translated
            out["not_translated"] = [{"article": a, "reason": r} for a, r in not_translated]
        click.echo(jsonout.dumps(out, indent=2))
    elif not quiet:
        # --quiet prints no summary even when a source failed: its line on stderr and the exit
        # code say it, and cron mails whatever reaches stdout.
        click.echo(
            f"{report.sources_ok}/{report.sources_total} sources ok, {report.added} added, "
            f"{report.updated} updated, {report.unchanged} unchanged"
            + (f", {report.not_modified} not modified" if report.not_modified else "")
            + (f", {report.sources_failed} failed" if report.failed else "")
            + (f", {translated} translated" if engine is not None else "")
            + (f", {len(not_translated)} not translated" if not_translated else "")
            + (f", {report.pruned} old articles deleted" if report.pruned else "")
        )
    sys.exit(int(ExitCode.PARTIAL if failed else ExitCode.OK))


def _progress_printer() -> Callable[[Any], None]:
    def show(p: Any) -> None:
        name = one_line(p.source, 60)
        click.echo(f"\r\033[K[{p.done}/{p.total}] {name}", err=True, nl=False)

    return show


for _command in (articles.list_, articles.search, articles.show, articles.tag, feeds.feeds,
                 feeds.import_opml, feeds.export_opml, translate.translate_command,
                 stories.stories_command, stories.brief_command, write.write_command):
    cli.add_command(_command)


def main() -> None:
    # A run that seems stuck (a cron fetch still there an hour later) says where each of its
    # threads is: `kill -USR1 PID` prints their stacks on stderr, and the run goes on.
    if hasattr(signal, "SIGUSR1"):
        faulthandler.register(signal.SIGUSR1, all_threads=True)
    if (odd := clock.settle_local_zone()) is not None and sys.stderr.isatty():
        # Said at a terminal only: a cron run would mail it every time.
        click.echo(f"briefing: TZ={one_line(odd, 60)!r} is a day or more from UTC; using UTC",
                   err=True)
    try:
        cli.main(prog_name="briefing", standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("briefing: interrupted", err=True)
        sys.exit(int(ExitCode.INTERRUPTED))
    except BriefingError as exc:
        # What fails before a command's own handler runs: a path in $BRIEFING_CONFIG or
        # $BRIEFING_STATE in the home of no known user, read as the command line is.
        click.echo(f"briefing: error: {one_line(str(exc), 500)}", err=True)
        sys.exit(int(exc.exit_code))
    finally:
        # The process ends here, and its exit frees what is left. Frozen, that is skipped by
        # the interpreter's last garbage collections, which walked every object a fetch left
        # (its modules, its caches): ~50-100 ms of a cron cycle's 3 s, on one core. Stores
        # are closed by then (their commands close them), so no connection waits on a cycle.
        gc.freeze()
