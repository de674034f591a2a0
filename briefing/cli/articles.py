"""Reading the store: `list`, `search`, `show` and `tag`."""

from __future__ import annotations

from typing import Any

import click

from briefing import clock, jsonout
from briefing.cli.common import (
    FACT_HELP,
    Context,
    fail,
    handles_errors,
    parse_since,
    resolve_article_id,
)
from briefing.exit_codes import ExitCode
from briefing.locations import expand_user
from briefing.text import one_line


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
        click.echo(jsonout.dumps([_summary_json(a, details[a.id]) for a in items], indent=2,
                              ensure_ascii=False))
        return
    for a in items:
        mark = " " if a.read else "*"
        date = clock.local_day(a.published)
        lang = a.language or "--"
        click.echo(f"{a.id}  {mark} {date:10}  {lang:2}  {one_line(a.title, 90)}"
                   f"  ({one_line(a.source_title or a.source, 40)})")


@click.command("list")
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
    from pathlib import Path

    from briefing.urls import is_http_url

    flt = _filter(unread, source, tag, facts, starred=starred)
    with obj.store() as store:
        if source is not None:
            named = resolve_source(store, source)
            local = Path(named)
            if not is_http_url(named) and local.is_file() and not store.known_hashes(named):
                # A file's articles are stored under its folder's source (what a folder fetch
                # and the file alone share); the file is their address. They listed nothing.
                flt = replace(flt, source=str(local.parent), url=local.as_uri())
            else:
                flt = replace(flt, source=named)
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
    exact = [given] if is_http_url(given) else [given, str(expand_user(given).resolve())]
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


@click.command("search")
@click.argument("query", required=False)
@click.option("--json", "as_json", is_flag=True)
@click.option("--fact", "facts", multiple=True, metavar="FILTER", help=FACT_HELP)
@click.option("--tag", metavar="T", help="Only articles with this tag.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10000))
@click.option("--recent", is_flag=True, help="List the searches run in the TUI, latest first.")
@click.pass_obj
@handles_errors
def search(obj: Context, query: str | None, as_json: bool, facts: tuple[str, ...],
           tag: str | None, limit: int, recent: bool) -> None:
    """Full-text search over titles, text and translations: words (English stemmed, so
    turbine finds turbines; accents optional, dong finds đồng), "phrases", prefix*, OR, NOT
    or -word, (groups), title:word. Fact filters may also be written inside QUERY, like
    `chips money>1e9` or `percent>=5 NOT gold`. Each result shows the passage that matched."""
    from briefing.query import NO_WORDS, has_words, split_query

    if recent:
        with obj.store() as store:
            found = store.recent_searches(limit)
        click.echo(jsonout.dumps(found, ensure_ascii=False) if as_json else "\n".join(
            one_line(q, 200) for q in found), nl=bool(found) or as_json)
        return
    if query is None:
        fail("search: give a QUERY (or --recent)", ExitCode.USAGE)
    text, inline = split_query(query)
    if not (inline or facts or has_words(text)):
        fail(f"search: {one_line(query, 80)!r}: {NO_WORDS}", ExitCode.USAGE)
    flt = _filter(tag=tag, facts=facts)
    flt = type(flt)(**{**flt.__dict__, "facts": flt.facts + inline})
    with obj.store() as store:
        items = store.search(text, flt, limit=limit) if text else store.list_articles(
            flt, limit=limit)
        snippets = store.snippets(text, [a.id for a in items]) if text else {}
        if as_json:
            details = store.list_details([a.id for a in items])
            click.echo(jsonout.dumps([{**_summary_json(a, details[a.id]),
                                    **_snippet_json(snippets.get(a.id, ()))}
                                   for a in items], indent=2, ensure_ascii=False))
            return
    for a in items:
        _print_summaries([a], False, None)
        if snippets.get(a.id):
            click.echo("    " + _snippet_line(snippets[a.id]))


def _snippet_line(parts: tuple[tuple[str, bool], ...]) -> str:
    """A result's passage on one line under it, the matched words in bold (click drops the
    styles when stdout is not a terminal). Stored text is sanitized already; one_line keeps
    each part to one line."""
    out = []
    for chunk, hit in parts:
        text = one_line(chunk, 400)
        text = click.style(text, bold=True) if hit else text
        out.append((" " if chunk[:1].isspace() else "") + text
                   + (" " if chunk[-1:].isspace() and text else ""))
    return "".join(out)


def _snippet_json(parts: tuple[tuple[str, bool], ...]) -> dict[str, Any]:
    """A result's passage as JSON: its plain text and the [start, end) of each match in it."""
    text, spans = "", []
    for chunk, hit in parts:
        if hit:
            spans.append([len(text), len(text) + len(chunk)])
        text += chunk
    return {"snippet": text, "snippet_matches": spans}


@click.command("show")
@click.argument("article_id")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@handles_errors
def show(obj: Context, article_id: str, as_json: bool) -> None:
    """Print one article: its summary, key facts, facts and text. ARTICLE_ID may be a unique
    prefix of at least 4 characters."""
    from briefing.report import article_json, article_text, written_json
    from briefing.store import written_store
    from briefing.stories import story_json

    with obj.store() as store:
        article_id = resolve_article_id(store, article_id)
        art = store.get_article(article_id)
        story = story_json(store, article_id) if art is not None and as_json else None
        written = written_store.get(store, article_id) if art is not None else []
    if art is None:
        fail(f"no article with id {article_id!r}", ExitCode.USAGE)
    if as_json:
        data = article_json(art)
        data["story"] = story
        data["written"] = [written_json(d) for d in written]
        click.echo(jsonout.dumps(data, indent=2, ensure_ascii=False))
    else:
        click.echo(article_text(art))


@click.command("tag")
@click.option("--all", "retag_all", is_flag=True, help="Re-tag every article, not only stale ones.")
@click.option("--since", metavar="DATE", help="Only articles published on or after DATE "
                                              "(YYYY-MM-DD, local time; today, yesterday).")
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
