"""The command line: the only place that prints, sets up logging and picks exit codes.

stdout carries the output (a report, a list, JSON); stderr carries diagnostics. Every error a
user can cause ends in one line naming the source and the reason, never a traceback.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from briefing import __version__, config, locations
from briefing.errors import BriefingError
from briefing.exit_codes import ExitCode
from briefing.text import one_line

F = TypeVar("F", bound=Callable[..., Any])
FACT_HELP = (
    "Filter by fact: KIND OP VALUE, repeatable. KIND is money, percent, count, duration, "
    "date, org, person or place; OP is =, !=, >, >=, <, <=. Examples: --fact org=Nvidia "
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


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        # Every command's output passes through here, so one catch covers them all (click
        # would exit 1 on a closed stdout, and handles_errors lets it through to here).
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            stdout_gone()


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
            raise  # stdout closed by its reader: not a store error (see _Group)
        except OSError as exc:
            fail(f"{getattr(exc, 'filename', '') or ''} {exc.strerror or exc}".strip(),
                 ExitCode.STORE)

    return wrapper  # type: ignore[return-value]


@click.group(cls=_Group, invoke_without_command=True)
@click.option("--db", metavar="PATH", help="Database file [env BRIEFING_DB].")
@click.option("--config", "config_path", metavar="PATH", help="Config file [env BRIEFING_CONFIG].")
@click.option("-v", "--verbose", count=True, help="More diagnostics on stderr (-vv for debug).")
@click.version_option(__version__, prog_name="briefing")
@click.pass_context
def cli(ctx: click.Context, db: str | None, config_path: str | None, verbose: int) -> None:
    """Terminal news briefings: feeds in, clean articles, key facts, translations.

    With no command, opens the reader (the same as `briefing read`).
    """
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="briefing: %(message)s", stream=sys.stderr)
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

    run(path, settings)


@cli.command()
@click.pass_obj
def locate(obj: Context) -> None:
    """Print the config file and database paths in use."""
    click.echo(f"config: {obj.config_path}")
    click.echo(f"database: {obj.db_path}")


@cli.command()
@click.argument("sources", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing when every source succeeded.")
@click.option("--no-extract", is_flag=True, help="Keep teasers; do not fetch linked pages.")
@click.pass_obj
@handles_errors
def fetch(obj: Context, sources: tuple[str, ...], as_json: bool, quiet: bool,
          no_extract: bool) -> None:
    """Fetch, clean, tag and store articles.

    A SOURCE is a feed URL (http/https), an OPML file, a local feed file, a local article
    (HTML, text, Markdown) or a directory (walked recursively). With no SOURCE, the
    configured feeds (`briefing feeds add`, and [[feeds]] in the config file).

    Exit codes: 0 all good, 1 some sources failed, 2 usage, 3 config, 4 store.
    """
    from briefing.pipeline import run_fetch

    settings = obj.settings
    progress = _progress_printer() if sys.stderr.isatty() and not quiet and not as_json else None
    with obj.store() as store:
        if not sources and not store.list_sources() and not settings.feeds:
            fail("no sources: pass a SOURCE, or add feeds with `briefing feeds add URL`",
                 ExitCode.USAGE)
        report = run_fetch(settings, store, list(sources), on_progress=progress,
                           extract=False if no_extract else None)
    if progress is not None:
        click.echo("\r\033[K", err=True, nl=False)
    for source, reason in report.failed:
        click.echo(f"briefing: {one_line(source, 300)}: {one_line(reason, 300)}", err=True)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
    elif not (quiet and not report.failed):
        click.echo(
            f"{report.sources_ok}/{report.sources_total} sources ok, {report.added} added, "
            f"{report.updated} updated, {report.unchanged} unchanged"
            + (f", {report.not_modified} not modified" if report.not_modified else "")
            + (f", {report.sources_failed} failed" if report.failed else "")
        )
    sys.exit(int(ExitCode.PARTIAL if report.failed else ExitCode.OK))


def _progress_printer() -> Callable[[Any], None]:
    def show(p: Any) -> None:
        name = one_line(p.source, 60)
        click.echo(f"\r\033[K[{p.done}/{p.total}] {name}", err=True, nl=False)

    return show


def _filter(unread: bool = False, source: str | None = None, tag: str | None = None,
            facts: tuple[str, ...] = (), since: str | None = None, starred: bool = False) -> Any:
    from briefing.query import parse_fact_filter
    from briefing.store import ArticleFilter

    return ArticleFilter(unread=unread, starred=starred, source=source, tag=tag, since=since,
                         facts=tuple(parse_fact_filter(f) for f in facts))


def _summary_json(a: Any, details: tuple[tuple[str, ...], tuple[Any, ...]]) -> dict[str, Any]:
    from briefing.report import iso_time, key_facts_json

    tags, key_facts = details
    # "facts" is a count here (the list is in `show --json`): a list stays light to print.
    return {"id": a.id, "title": a.title, "url": a.url, "source": a.source,
            "language": a.language, "published": iso_time(a.published), "read": a.read,
            "starred": a.starred, "tags": list(tags), "summary": a.summary,
            "key_facts": key_facts_json(key_facts), "facts": a.fact_count,
            "translated": a.has_translation}


def _print_summaries(items: list[Any], as_json: bool, store: Any) -> None:
    if as_json:
        details = store.list_details([a.id for a in items])
        click.echo(json.dumps([_summary_json(a, details[a.id]) for a in items], indent=2,
                              ensure_ascii=False))
        return
    for a in items:
        mark = " " if a.read else "*"
        date = (a.published or "")[:10]
        lang = a.language or "--"
        click.echo(f"{a.id}  {mark} {date:10}  {lang:2}  {one_line(a.title, 90)}"
                   f"  ({one_line(a.source_title or a.source, 40)})")


@cli.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.option("--unread", is_flag=True, help="Only unread articles.")
@click.option("--starred", is_flag=True, help="Only starred articles.")
@click.option("--source", "source", metavar="S",
              help="Only articles from this source: its URL or path, or a unique part of its "
                   "title or URL.")
@click.option("--tag", metavar="T", help="Only articles with this tag.")
@click.option("--fact", "facts", multiple=True, metavar="FILTER", help=FACT_HELP)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100000))
@click.pass_obj
@handles_errors
def list_(obj: Context, as_json: bool, unread: bool, starred: bool, source: str | None,
          tag: str | None, facts: tuple[str, ...], limit: int) -> None:
    """List articles, newest first. `*` marks unread."""
    from dataclasses import replace

    flt = _filter(unread, source, tag, facts, starred=starred)
    with obj.store() as store:
        if source is not None:
            flt = replace(flt, source=resolve_source(store, source))
        _print_summaries(store.list_articles(flt, limit=limit), as_json, store)


def resolve_source(store: Any, given: str) -> str:
    """The source `given` names: its exact URL or path, else the one source whose title is
    `given` or whose title or URL contains it (without case), looked for first among the
    sources that have articles. None or several is a usage error naming them."""
    from briefing.urls import is_http_url

    if not given.strip():
        fail("--source: empty source", ExitCode.USAGE)
    stored = {url: title or "" for url, title, _, _ in store.source_counts()}
    known = dict(stored)
    for s in store.list_sources(subscribed_only=False):
        known.setdefault(s.url, s.title or "")
    exact = [given] if is_http_url(given) else [given, str(Path(given).expanduser().resolve())]
    for candidate in exact:
        if candidate in known:
            return candidate
    # A source with no articles cannot add to the list, so it only counts when no other fits
    # (a folder's files, say, whose articles are stored under the folder).
    found = _sources_matching(stored, given) or _sources_matching(known, given)
    if len(found) == 1:
        return found[0]
    if not found:
        fail(f"no source matches {given!r} (see `briefing feeds list`)", ExitCode.USAGE)
    shown = "; ".join(f"{one_line(known[u] or u, 60)} ({one_line(u, 100)})" for u in found[:5])
    more = f"; and {len(found) - 5} more" if len(found) > 5 else ""
    fail(f"source {given!r} matches {len(found)} sources: {shown}{more}", ExitCode.USAGE)


def _sources_matching(titles: dict[str, str], given: str) -> list[str]:
    needle = given.casefold()
    # A whole title wins over a longer one containing it ("Daily" beside "Daily Extra").
    named = [u for u, t in titles.items() if t.casefold() == needle]
    return named or [u for u, t in titles.items()
                     if needle in t.casefold() or needle in u.casefold()]


@cli.command()
@click.argument("query")
@click.option("--json", "as_json", is_flag=True)
@click.option("--fact", "facts", multiple=True, metavar="FILTER", help=FACT_HELP)
@click.option("--tag", metavar="T", help="Only articles with this tag.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10000))
@click.pass_obj
@handles_errors
def search(obj: Context, query: str, as_json: bool, facts: tuple[str, ...], tag: str | None,
           limit: int) -> None:
    """Full-text search over titles and text (SQLite FTS5 syntax: words, "phrases", OR, NOT,
    prefix*). Fact filters may also be written inside QUERY, like `chips money>1e9`."""
    from briefing.query import split_query

    text, inline = split_query(query)
    flt = _filter(tag=tag, facts=facts)
    flt = type(flt)(**{**flt.__dict__, "facts": flt.facts + inline})
    with obj.store() as store:
        items = store.search(text, flt, limit=limit) if text else store.list_articles(
            flt, limit=limit)
        _print_summaries(items, as_json, store)


@cli.command()
@click.argument("article_id")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@handles_errors
def show(obj: Context, article_id: str, as_json: bool) -> None:
    """Print one article: its summary, key facts, facts and text. ARTICLE_ID may be a unique
    prefix of at least 4 characters."""
    from briefing.report import article_json, article_text
    from briefing.stories import story_json

    with obj.store() as store:
        article_id = resolve_article_id(store, article_id)
        art = store.get_article(article_id)
        story = story_json(store, article_id) if art is not None and as_json else None
    if art is None:
        fail(f"no article with id {article_id!r}", ExitCode.USAGE)
    if as_json:
        data = article_json(art)
        data["story"] = story
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        click.echo(article_text(art))


@cli.command()
@click.option("--all", "retag_all", is_flag=True, help="Re-tag every article, not only stale ones.")
@click.option("--since", metavar="DATE", help="Only articles published on or after DATE.")
@click.option("--quiet", "-q", is_flag=True)
@click.pass_obj
@handles_errors
def tag(obj: Context, retag_all: bool, since: str | None, quiet: bool) -> None:
    """Extract facts, key-fact bullets, summary and tags again.

    By default only articles tagged by an older tagger version; `briefing fetch` tags new
    articles as it stores them.
    """
    from briefing.pipeline import run_tag

    with obj.store() as store:
        report = run_tag(store, retag_all=retag_all, since=parse_since(since))
    if not quiet:
        click.echo(f"{report.tagged} articles tagged")


def parse_since(value: str | None) -> str | None:
    """A --since value (YYYY-MM-DD or an ISO timestamp) as the stored timestamps' prefix form,
    which compares correctly with them as text; anything else is a usage error. Every
    command's --since goes through here."""
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        fail(f"bad date {value!r}: expected a date like 2025-01-31", ExitCode.USAGE)
    return when.strftime("%Y-%m-%dT%H:%M:%S")


@cli.group()
def feeds() -> None:
    """Manage subscribed feeds."""


@feeds.command("add")
@click.argument("url")
@click.option("--tag", "tags", multiple=True, metavar="T", help="Tag for its articles.")
@click.pass_obj
@handles_errors
def feeds_add(obj: Context, url: str, tags: tuple[str, ...]) -> None:
    """Subscribe to a feed URL (or a local feed file). Adding one already subscribed adds
    only the tags it lacks."""
    from briefing.urls import is_http_url

    if not url.strip():
        # Path("") is the current folder, which would subscribe whatever the user stands in.
        fail("empty source: pass a feed URL or a file", ExitCode.USAGE)
    if not is_http_url(url):
        path = Path(url).expanduser()
        if not path.exists():
            fail(f"{url}: not an http(s) URL and no such file", ExitCode.USAGE)
        url = str(path.resolve())
    with obj.store() as store:
        before = store.get_source(url)
        store.add_source(url, tags=tags, now=_now())
    if before is None or not before.subscribed:
        click.echo(f"added {url}")
        return
    new_tags = [t for t in dict.fromkeys(tags) if t not in before.tags]
    click.echo(f"already subscribed: {url}"
               + (f" (tags added: {', '.join(new_tags)})" if new_tags else ""))


@feeds.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@handles_errors
def feeds_list(obj: Context, as_json: bool) -> None:
    """List subscribed feeds with their last status."""
    with obj.store() as store:
        items = store.list_sources()
    if as_json:
        click.echo(json.dumps([s.__dict__ for s in items], indent=2, ensure_ascii=False))
        return
    for s in items:
        status = "gone" if s.gone else (s.last_error and f"error: {s.last_error}") or (
            f"HTTP {s.last_status}" if s.last_status else "ok" if s.last_fetched else "new")
        tags = f" [{', '.join(s.tags)}]" if s.tags else ""
        click.echo(f"{one_line(s.url, 200)}{tags}  {one_line(s.title, 60)}  ({one_line(status)})")


@feeds.command("remove")
@click.argument("url")
@click.pass_obj
@handles_errors
def feeds_remove(obj: Context, url: str) -> None:
    """Unsubscribe; articles already stored stay."""
    with obj.store() as store:
        if not store.remove_source(url):
            fail(f"{url}: not subscribed", ExitCode.USAGE)
    click.echo(f"removed {url}")


@cli.command("import-opml")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
@handles_errors
def import_opml(obj: Context, file: Path) -> None:
    """Subscribe to every feed listed in an OPML FILE (http(s) URLs, and files in FILE's own
    folder; any other entry is skipped with a line naming it)."""
    from briefing.sources import opml

    try:
        items = opml.read_file(file, obj.settings.fetch.max_bytes)
    except opml.OPMLError as exc:
        fail(str(exc), ExitCode.USAGE)
    skipped = 0
    with obj.store() as store:
        for f in items:
            try:
                url = opml.entry_target(f.url, file)
            except opml.OPMLError as exc:
                click.echo(f"briefing: {one_line(str(file), 300)}: {exc}", err=True)
                skipped += 1
                continue
            # A list that names a feed by its address gives no title worth keeping.
            title = f.title if f.title not in (f.url, url) else ""
            store.add_source(url, tags=f.tags, now=_now(), title=title)
    click.echo(f"imported {len(items) - skipped} feeds from {file}"
               + (f" ({skipped} skipped)" if skipped else ""))
    if skipped:
        sys.exit(int(ExitCode.PARTIAL))


@cli.command("export-opml")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
@handles_errors
def export_opml(obj: Context, file: Path | None) -> None:
    """Write subscribed feeds as OPML to FILE (or stdout)."""
    from briefing.sources import opml

    if file is not None and not file.parent.is_dir():
        fail(f"{file}: cannot write: no such directory", ExitCode.USAGE)
    with obj.store() as store:
        # A feed's own title, else the one its stored articles carry; never its address.
        named = {url: title for url, title, _, _ in store.source_counts() if title != url}
        doc = opml.render([(s.url, s.title or named.get(s.url, ""), s.tags)
                           for s in store.list_sources()])
    if file is None:
        click.echo(doc, nl=False)
        return
    try:
        file.write_text(doc, encoding="utf-8")
    except OSError as exc:
        # The user's file, not the database: a usage error naming the path.
        fail(f"{file}: cannot write: {exc.strerror or exc}", ExitCode.USAGE)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _register() -> None:
    from briefing.cli_stories import brief_command, stories_command
    from briefing.cli_translate import translate_command

    cli.add_command(translate_command)
    cli.add_command(stories_command)
    cli.add_command(brief_command)


_register()


def main() -> None:
    try:
        cli.main(prog_name="briefing", standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("briefing: interrupted", err=True)
        sys.exit(int(ExitCode.INTERRUPTED))
