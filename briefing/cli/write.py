"""`briefing write`: bullets and a summary written by the llm writer, figures checked.

stdout gets one line per written article (and a ⚠ line per flagged bullet or summary);
stderr one line per failure, naming the article and the reason. Exit codes: 0 all written,
1 some failed, 2 usage (an unknown id), 3 config (the writer is not "llm"), 4 store.
Added to the group in cli/main.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from briefing.cli.common import fail, handles_errors, now, resolve_article_id
from briefing.exit_codes import ExitCode
from briefing.text import one_line

if TYPE_CHECKING:
    from briefing.models import WrittenDigest


@click.command("write")
@click.argument("article_ids", nargs=-1, required=True, metavar="ID...")
@click.option("--lang", metavar="LANG", help="The language to write in "
                                             "[config: translation.target].")
@click.pass_obj
@handles_errors
def write_command(obj: Any, article_ids: tuple[str, ...], lang: str | None) -> None:
    """Write key-fact bullets and a 📌 summary for articles with the llm writer ([briefing]
    writer = "llm", on the [translation.openai] server), and store them apart from the
    article's own. Every figure and name is looked up in the original: a bullet with one the
    original lacks is flagged ⚠ (and left out by `brief --strict`)."""
    from briefing.writer import NOT_LLM, WriterError, make_writer, write_article

    settings = obj.settings
    if settings.briefing.writer != "llm":
        fail(NOT_LLM, ExitCode.CONFIG)
    lang = lang or settings.translation.target
    try:
        writer = make_writer(settings)
    except WriterError as exc:
        fail(str(exc), ExitCode.CONFIG)
    failed = 0
    stop: str | None = None
    with obj.store() as store:
        ids = [resolve_article_id(store, i) for i in article_ids]
        for article_id in dict.fromkeys(ids):
            if stop is not None:
                _failed(article_id, stop)
                failed += 1
                continue
            try:
                found = write_article(store, writer, article_id, lang, now=now())
            except WriterError as exc:
                _failed(article_id, str(exc))
                failed += 1
                if exc.fatal:
                    stop = f"skipped: {exc}"
                continue
            click.echo(_done(found))
    if failed:
        raise SystemExit(int(ExitCode.PARTIAL))


def _failed(article_id: str, reason: str) -> None:
    click.echo(f"briefing: {one_line(article_id, 100)}: {one_line(reason, 500)}", err=True)


def _done(d: WrittenDigest) -> str:
    line = (f"{d.article_id}  {d.lang}  {len(d.bullets)} bullets  {d.engine}/{d.model}"
            + (f"  {d.flagged} flagged" if d.flagged else ""))
    lines = [line]
    for i, b in enumerate(d.bullets, 1):
        lines += [f"  ⚠ bullet {i}: {one_line(f.message, 300)}" for f in b.flags]
    lines += [f"  ⚠ summary: {one_line(f.message, 300)}" for f in d.summary_flags]
    return "\n".join(lines)
