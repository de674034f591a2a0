"""`briefing stories` and `briefing brief`: copies of one story, and the briefing posts.

Added to the group in cli/main.py. Both commands first assign any article stored without
a story (a database from before stories, or a fetch that did not assign), which is cheap when
there is nothing to do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from briefing import clock, jsonout
from briefing.cli.common import fail, handles_errors, parse_since, resolve_article_id
from briefing.exit_codes import ExitCode
from briefing.text import one_line

if TYPE_CHECKING:
    from briefing.stories import Story


def _since(value: str | None) -> str | None:

    return parse_since(value)


@click.command("stories")
@click.option("--since", metavar="DATE", help="Only stories with a copy published on or after "
                                              "DATE (YYYY-MM-DD, local time; today, yesterday).")
@click.option("--all", "show_all", is_flag=True, help="Include stories with one copy.")
@click.option("--json", "as_json", is_flag=True, help="Print the stories as JSON.")
@click.option("--rebuild", is_flag=True, help="Regroup every stored article first.")
@click.pass_obj
def stories_command(obj: Any, since: str | None, show_all: bool, as_json: bool,
                    rebuild: bool) -> None:
    """List stories told by more than one article (copies across sources and languages),
    newest first, with the best source marked `*` and disagreements flagged `!`."""
    from briefing import stories

    stamp = _since(since)

    @handles_errors
    def run() -> list[Story]:
        with obj.store() as store:
            if rebuild:
                stories.rebuild(store)
            else:
                stories.sync(store)
            return stories.list_stories(store, since=stamp, min_size=1 if show_all else 2)

    found = run()
    if as_json:
        click.echo(jsonout.dumps([stories.story_dict(s) for s in found], indent=2,
                              ensure_ascii=False))
        return
    for s in found:
        copies = f"{s.size} {'copy' if s.size == 1 else 'copies'}"
        day = clock.local_day(s.last_published)
        click.echo(f"{s.id}  {copies}  {day}  {one_line(s.title, 90)}")
        for m in s.members:
            mark = "*" if m.best else " "
            click.echo(f"  {mark} {m.article_id}  {m.language or '--':2}  "
                       f"{one_line(stories.copy_name(m), 40)}  "
                       f"{one_line(m.title, 70)}")
        for f in s.flags:
            click.echo(f"  ! {one_line(f.text, 300)}")


@click.command("brief")
@click.argument("ids", nargs=-1, metavar="[ID]...")
@click.option("--since", metavar="DATE", help="Stories with a copy published on or after DATE "
                                              "(YYYY-MM-DD, local time; today, yesterday).")
@click.option("--story", "story_id", metavar="ID", help="One story (or an article's story).")
@click.option("--format", "fmt", type=click.Choice(["md", "text", "json"]), default="md",
              show_default=True, help="md: CommonMark, feed text escaped; text: the plain "
                                      "shape, one part a line; json: the posts as data.")
@click.option("--lang", metavar="LANG", help="The reader's language [config: translation.target].")
@click.option("--full", is_flag=True, help="Append the full translation and the original.")
@click.option("--verbose", is_flag=True,
              help="Also print each post's notes (written in another language than asked, "
                   "copies that disagree) to stderr.")
@click.option("--strict", is_flag=True, help="Leave out written bullets (and a summary) with a "
                                             "figure or name the original lacks.")
@click.pass_obj
def brief_command(obj: Any, ids: tuple[str, ...], since: str | None, story_id: str | None,
                  fmt: str, lang: str | None, full: bool, verbose: bool, strict: bool) -> None:
    """Write the briefing: for each story, key-fact bullets, a 📌 summary, the best source's
    link (http(s) only) and hashtag (and with --full the translation and the original), in the
    reader's language when a translation has them. IDs are story or article ids.

    Output depends only on the database, so it can be diffed. Notes (a post written in
    another language than asked, copies that disagree) are in the JSON (`note`, `flags`),
    and on stderr with --verbose only: a normal run writes nothing there.
    """

    chosen = [x for x in (bool(ids), since is not None, story_id is not None) if x]
    if len(chosen) > 1:
        fail("pass IDs, --story or --since, not more than one", ExitCode.USAGE)
    stamp = _since(since)
    lang = lang or obj.settings.translation.target
    posts = _posts(obj, [*ids, *([story_id] if story_id else [])], stamp, lang, full, strict)
    for post in posts if verbose else ():
        for note in ([post.note] if post.note else []) + [f.text for f in post.story.flags]:
            click.echo(f"briefing: story {post.story.id}: {one_line(note, 300)}", err=True)
    from briefing.brief import render_json, render_markdown, render_text

    if fmt == "json":
        click.echo(jsonout.dumps(render_json(posts, lang), indent=2, ensure_ascii=False))
    elif posts:
        click.echo((render_text if fmt == "text" else render_markdown)(posts), nl=False)


def _posts(obj: Any, ids: list[str], since: str | None, lang: str, full: bool,
           strict: bool = False) -> list[Any]:
    from briefing import brief, stories

    writer = obj.settings.briefing.writer == "llm"

    @handles_errors
    def run() -> list[Any]:
        with obj.store() as store:
            stories.sync(store)
            if ids:
                found = [stories.get_story(store, i) or stories.get_story(
                    store, resolve_article_id(store, i, noun="story or article"))
                         for i in dict.fromkeys(ids)]
                missing = [i for i, s in zip(dict.fromkeys(ids), found, strict=True) if s is None]
                if missing:
                    fail(f"no story or article with id {missing[0]!r}", ExitCode.USAGE)
                chosen = list({s.id: s for s in found if s is not None}.values())
            else:
                chosen = stories.list_stories(store, since=since)
            posts = [brief.build(store, s, lang, full=full, writer=writer, strict=strict)
                     for s in chosen]
        return [p for p in posts if p is not None]

    result: list[Any] = run()
    return result
