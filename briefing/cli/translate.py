"""`briefing translate`: translate stored articles from the command line (and cron).

stdout gets one line per translated article; stderr one line per failure. Exit codes: 0 all
translated, 1 some failed, 2 usage, 3 config (no engine, unknown engine, argos missing),
4 store. Added to the group in cli/main.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from briefing.cli.common import fail, parse_since, resolve_article_id, stop_on_sigterm
from briefing.errors import BriefingError
from briefing.exit_codes import ExitCode
from briefing.text import one_line

if TYPE_CHECKING:
    from briefing.models import Translation
    from briefing.translate.engines import Engine


@click.command("translate")
@click.argument("article_ids", nargs=-1, metavar="[ID]...")
@click.option("--untranslated", is_flag=True,
              help="Every stored article without a translation into the target language.")
@click.option("--since", metavar="DATE", help="With --untranslated: published on or after DATE "
                                              "(YYYY-MM-DD, local time; today, yesterday).")
@click.option("--to", "target", metavar="LANG",
              help="Target language [config: translation.target].")
@click.option("--engine", "engine_name", metavar="NAME",
              help="libretranslate, openai, argos, apertium, bergamot or none "
                   "[config: translation.engine].")
@click.option("--install-model", "model_file", metavar="FILE",
              type=click.Path(dir_okay=False, path_type=Path),
              help="Install a local .argosmodel file for the argos engine first.")
@click.pass_obj
def translate_command(obj: Any, article_ids: tuple[str, ...], untranslated: bool,
                      since: str | None, target: str | None, engine_name: str | None,
                      model_file: Path | None) -> None:
    """Translate articles and store each translation beside its original.

    Paragraphs are cached, so translating again costs no engine calls. Figures the
    translation drops or changes are flagged (the numbers check).
    """

    if model_file is not None:
        _install(model_file)
        if not article_ids and not untranslated:
            return
    if article_ids and untranslated:
        fail("pass article IDs or --untranslated, not both", ExitCode.USAGE)
    if not article_ids and not untranslated:
        fail("nothing to translate: pass article IDs or --untranslated", ExitCode.USAGE)
    if since is not None:
        if not untranslated:
            fail("--since goes with --untranslated", ExitCode.USAGE)
        since = parse_since(since)
    settings = obj.settings
    target = target or settings.translation.target
    try:
        with obj.store() as store:
            # An id naming no article is a usage error (as for `show`), found before any
            # engine is asked for, so one typo does not cost a partial run.
            article_ids = tuple(resolve_article_id(store, i) for i in article_ids)
            engine = _engine(settings, engine_name, target)
            # A long run from cron (`--untranslated`) may meet cron's `timeout`: one line
            # and exit 143, each article's translation written whole or not at all.
            with stop_on_sigterm():
                failed = _run(settings, store, engine, article_ids, untranslated, since, target)
    except BriefingError as exc:  # the store's, which wraps the database's own
        fail(str(exc), exc.exit_code)
    except BrokenPipeError:
        raise  # stdout closed by its reader: briefing.cli ends the run quietly
    except OSError as exc:
        fail(f"{getattr(exc, 'filename', '') or ''} {exc.strerror or exc}".strip(),
             ExitCode.STORE)
    if failed:
        raise SystemExit(int(ExitCode.PARTIAL))


def _run(settings: Any, store: Any, engine: Engine, ids: tuple[str, ...], untranslated: bool,
         since: str | None, target: str) -> int:
    from briefing.store import StoreError
    from briefing.translate.service import translate_untranslated

    def report(article_id: str, tr: Translation | None, error: str | None) -> None:
        if tr is not None:
            click.echo(_done_line(article_id, tr))
        else:
            click.echo(f"briefing: {one_line(article_id, 100)}: {one_line(error, 500)}",
                       err=True)

    now = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        if untranslated:
            done, failed = translate_untranslated(settings, store, since=since, target=target,
                                                  engine=engine, now=now, on_article=report)
            if not done and not failed:
                click.echo(f"nothing to translate into {target}")
            return len(failed)
        return _translate_ids(settings, store, engine, ids, target, now, report)
    except StoreError as exc:
        fail(str(exc), ExitCode.STORE)


def _translate_ids(settings: Any, store: Any, engine: Engine, ids: tuple[str, ...], target: str,
                   now: str, report: Any) -> int:
    from briefing.translate.engines import EngineError
    from briefing.translate.service import ArticleNotFound, translate_article

    failed = 0
    stop: str | None = None
    for article_id in dict.fromkeys(ids):
        if stop is not None:
            report(article_id, None, stop)
            failed += 1
            continue
        try:
            tr = translate_article(settings, store, article_id, target=target, engine=engine,
                                   now=now)
        except (EngineError, ArticleNotFound) as exc:
            report(article_id, None, str(exc))
            failed += 1
            if isinstance(exc, EngineError) and exc.fatal:
                stop = f"skipped: {exc}"
            continue
        report(article_id, tr, None)
    return failed


def _done_line(article_id: str, tr: Translation) -> str:
    flagged = sum(1 for p in tr.pairs if p.flags)
    model = f"/{tr.model}" if tr.model else ""
    line = f"{article_id}  {tr.lang}  {len(tr.pairs)} paragraphs  {tr.engine}{model}"
    return line + (f"  {flagged} flagged" if flagged else "")


def _engine(settings: Any, name: str | None, target: str, *, option: bool = True) -> Engine:
    from briefing.translate.engines import EngineError, make_engine, no_engine_message

    chosen = (name or settings.translation.engine or "none").strip().lower()
    if chosen == "none":
        fail(no_engine_message(target, option=option), ExitCode.CONFIG)
    try:
        return make_engine(settings, chosen)
    except EngineError as exc:
        fail(str(exc), ExitCode.CONFIG)


def _install(path: Path) -> None:
    from briefing.translate.argos import NOT_INSTALLED, install_model
    from briefing.translate.engines import EngineError

    try:
        name = install_model(path)
    except EngineError as exc:
        fail(str(exc), ExitCode.CONFIG if str(exc) == NOT_INSTALLED else ExitCode.USAGE)
    click.echo(f"installed argos model {one_line(name, 200)}")


def translate_fetched(settings: Any, store: Any, engine: Engine, ids: list[str], *,
                      progress: bool) -> tuple[int, list[tuple[str, str]]]:
    """`fetch --translate`: translate the articles the run stored (new or changed), with their
    bullets and summary (briefing.translate.service.translate_fetched). Returns (translated,
    [(article, reason)]); each failure is one line on stderr naming the article and the
    reason. `progress` (a TTY) shows a counter on stderr."""
    from briefing.translate.service import translate_fetched as translate_ids

    def started(i: int, n: int, title: str) -> None:
        click.echo(f"\r\033[K[{i}/{n}] translating {one_line(title, 60)}", err=True, nl=False)

    def failed(article_id: str, title: str, reason: str) -> None:
        if progress:
            click.echo("\r\033[K", err=True, nl=False)
        click.echo(f"briefing: {one_line(article_id, 100)} ({one_line(title, 80)}): "
                   f"not translated: {one_line(reason, 500)}", err=True)

    now = datetime.now(UTC).isoformat(timespec="seconds")
    result = translate_ids(settings, store, engine, ids, now=now,
                           on_start=started if progress else None, on_failure=failed)
    if progress and (result[0] or result[1]):
        click.echo("\r\033[K", err=True, nl=False)
    return result


def fetch_engine(settings: Any) -> Engine:
    """The engine `fetch --translate` uses, checked before anything is fetched: a run that
    cannot translate says so at once (exit 3) rather than after the fetch."""
    return _engine(settings, None, settings.translation.target, option=False)
