"""Subscriptions: `feeds add|list|remove`, `import-opml` and `export-opml`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from briefing import jsonout
from briefing.cli.common import Context, fail, handles_errors, now
from briefing.exit_codes import ExitCode
from briefing.locations import expand_user
from briefing.text import one_line


@click.group()
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
    from briefing.sources.subscribe import SourceRejected, check_source

    try:  # the same checks as the reading room's add-feed dialog
        url = check_source(url)
    except SourceRejected as exc:
        fail(str(exc), ExitCode.USAGE)
    with obj.store() as store:
        before = store.get_source(url)
        store.add_source(url, tags=tags, now=now())
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
    from briefing.sources.subscribe import last_fetch, members_of

    with obj.store() as store:
        every = store.list_sources(subscribed_only=False)
    items = [s for s in every if s.subscribed]
    if as_json:
        click.echo(jsonout.dumps([s.__dict__ for s in items], indent=2, ensure_ascii=False))
        return
    members = members_of(items, every)
    for s in items:
        state, text = last_fetch(s, members.get(s.url, []))
        status = {"error": f"error: {text}", "new": "new"}.get(state, text)
        if state == "ok" and s.last_status and not members.get(s.url):
            status = f"HTTP {s.last_status}"
        tags = f" [{', '.join(one_line(t, 60) for t in s.tags)}]" if s.tags else ""
        click.echo(f"{one_line(s.url, 200)}{tags}  {one_line(s.name, 60)}  ({one_line(status)})")


@feeds.command("remove")
@click.argument("url")
@click.pass_obj
@handles_errors
def feeds_remove(obj: Context, url: str) -> None:
    """Unsubscribe; articles already stored stay."""
    from briefing.urls import is_http_url

    with obj.store() as store:
        # A path as `feeds add` stored it: absolute (the file may be gone since).
        named = url if is_http_url(url) else str(expand_user(url).resolve())
        if not store.remove_source(url) and (named == url or not store.remove_source(named)):
            fail(f"{url}: not subscribed", ExitCode.USAGE)
    click.echo(f"removed {url if named == url else named}")


@click.command("import-opml")
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
            store.add_source(url, tags=f.tags, now=now(), title=title)
    click.echo(f"imported {len(items) - skipped} feeds from {file}"
               + (f" ({skipped} skipped)" if skipped else ""))
    if skipped:
        sys.exit(int(ExitCode.PARTIAL))


@click.command("export-opml")
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
        doc = opml.render([(s.url, s.name or named.get(s.url, ""), s.tags)
                           for s in store.list_sources()])
    if file is None:
        click.echo(doc, nl=False)
        return
    try:
        file.write_text(doc, encoding="utf-8")
    except OSError as exc:
        # The user's file, not the database: a usage error naming the path.
        fail(f"{file}: cannot write: {exc.strerror or exc}", ExitCode.USAGE)
