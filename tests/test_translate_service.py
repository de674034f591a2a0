"""translate_article / translate_untranslated / `briefing translate`: cache, progress, failures.

The engines are the real HTTP engines talking to the fake servers of test_translate_engines,
whose call counters prove the cache: a first run costs N calls, a second run none.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from briefing.config import Settings
from briefing.models import TITLE_PARAGRAPH, Article, FigureFlag, Paragraph, Translation
from briefing.store import Store
from briefing.translate import (
    ArticleNotFound,
    EngineError,
    LibreTranslateEngine,
    OpenAIEngine,
    translate_article,
    translate_untranslated,
)
from briefing.translate.service import cache_key, untranslated_ids
from tests.test_translate_engines import (
    FakeChat,
    FakeLibreTranslate,
    chat,
    closed_port_url,
    fake_translate,
    libre,
)

__all__ = ["chat", "libre"]  # fixtures, imported for pytest
NOW = "2025-01-21T10:00:00+00:00"


def make_article(aid: str, paragraphs: Sequence[str], *, language: str = "en",
                 langs: Sequence[str] = (), published: str = "2025-01-20T08:00:00+00:00",
                 title: str = "") -> Article:
    paras = tuple(Paragraph(i, t, (langs[i] if langs else language))
                  for i, t in enumerate(paragraphs))
    return Article(id=aid, url=f"https://example.com/{aid}", source="https://example.com/feed",
                   title=title or f"Title of {aid}", text="\n\n".join(paragraphs),
                   paragraphs=paras, language=language, published=published,
                   content_hash=f"hash-{aid}")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "x.db") as s:
        yield s


@pytest.fixture
def settings() -> Settings:
    s = Settings()
    s.translation.target = "vi"
    return s


def libre_engine(server: FakeLibreTranslate, timeout: float = 5) -> LibreTranslateEngine:
    return LibreTranslateEngine(server.url, "", timeout=timeout)


PARAS = [f"Paragraph {i}: ByteDance ordered {i + 1},000 chips." for i in range(20)]


def test_first_run_calls_the_engine_second_run_does_not(
        libre: FakeLibreTranslate, store: Store, settings: Settings) -> None:
    store.save_article(make_article("a1", PARAS))
    engine = libre_engine(libre)
    tr = translate_article(settings, store, "a1", engine=engine, now=NOW)
    first = libre.calls
    assert first == 2  # title + 20 paragraphs = 21 texts: a batch of 16 and one of 5
    assert len(tr.pairs) == 21
    assert tr.pairs[0].paragraph == TITLE_PARAGRAPH and tr.pairs[0].original == "Title of a1"
    assert [p.paragraph for p in tr.pairs[1:]] == list(range(20))
    assert all(p.translation == fake_translate(p.original) for p in tr.pairs)
    assert (tr.lang, tr.engine, tr.model) == ("vi", "libretranslate", "")

    again = translate_article(settings, store, "a1", engine=libre_engine(libre), now=NOW)
    assert libre.calls == first  # second run: 0 engine calls
    assert again == tr
    stored = store.get_article("a1")
    assert stored is not None and stored.translations == (tr,)


def test_the_cache_is_shared_across_articles_and_repeats(
        libre: FakeLibreTranslate, store: Store, settings: Settings) -> None:
    store.save_article(make_article("a1", ["Same text.", "Same text.", "Other."], title="T"))
    store.save_article(make_article("a2", ["Other.", "New one."], title="T"))
    translate_article(settings, store, "a1", engine=libre_engine(libre), now=NOW)
    assert libre.requests[0][2]["q"] == ["T", "Same text.", "Other."]  # a repeat is sent once
    translate_article(settings, store, "a2", engine=libre_engine(libre), now=NOW)
    assert libre.requests[1][2]["q"] == ["New one."]


def test_cache_key_covers_language_engine_and_model() -> None:
    base = cache_key("text", "en", "vi", "openai", "m1")
    assert len(base) == 64
    assert len({base, cache_key("text", "fr", "vi", "openai", "m1"),
                cache_key("text", "en", "de", "openai", "m1"),
                cache_key("text", "en", "vi", "libretranslate", "m1"),
                cache_key("text", "en", "vi", "openai", "m2"),
                cache_key("text ", "en", "vi", "openai", "m1")}) == 6


def test_paragraphs_already_in_the_target_language_are_not_sent(
        libre: FakeLibreTranslate, store: Store, settings: Settings) -> None:
    store.save_article(make_article("a1", ["English text.", "Đoạn tiếng Việt.", "More."],
                                    langs=["en", "vi", "en"]))
    tr = translate_article(settings, store, "a1", engine=libre_engine(libre), now=NOW)
    assert libre.requests[0][2]["q"] == ["Title of a1", "English text.", "More."]
    assert tr.pairs[2].original == tr.pairs[2].translation == "Đoạn tiếng Việt."


def test_paragraphs_of_each_source_language_go_in_their_own_batch(
        libre: FakeLibreTranslate, store: Store, settings: Settings) -> None:
    store.save_article(make_article("a1", ["English.", "Français.", "Again."],
                                    langs=["en", "fr", "en"]))
    translate_article(settings, store, "a1", engine=libre_engine(libre), now=NOW)
    assert [(r[2]["source"], r[2]["q"]) for r in libre.requests] == [
        ("en", ["Title of a1", "English.", "Again."]), ("fr", ["Français."])]


def test_a_failure_half_way_keeps_the_batches_already_translated(
        libre: FakeLibreTranslate, store: Store, settings: Settings) -> None:
    store.save_article(make_article("a1", PARAS))
    libre.fail_after = 1  # the first batch succeeds, the second gets a 500
    with pytest.raises(EngineError, match="HTTP 500: internal error"):
        translate_article(settings, store, "a1", engine=libre_engine(libre), now=NOW)
    art = store.get_article("a1")
    assert art is not None and art.translations == ()  # no half translation saved
    libre.fail_after = None
    calls = libre.calls
    tr = translate_article(settings, store, "a1", engine=libre_engine(libre), now=NOW)
    assert libre.calls == calls + 1  # only the batch that failed is asked for again
    assert len(libre.requests[-1][2]["q"]) == 5
    assert len(tr.pairs) == 21


def test_engine_replies_are_sanitised(libre: FakeLibreTranslate, store: Store,
                                      settings: Settings) -> None:
    libre.mode = "escape"
    store.save_article(make_article("a1", ["Hello there."]))
    tr = translate_article(settings, store, "a1", engine=libre_engine(libre), now=NOW)
    assert tr.pairs[1].translation == fake_translate("Hello there.")
    stored = store.get_article("a1")
    assert stored is not None
    assert "\x1b" not in stored.translations[0].pairs[1].translation


def test_a_wrong_paragraph_count_stores_nothing(chat: FakeChat, store: Store,
                                                settings: Settings) -> None:
    chat.mode = "wrongcount"
    store.save_article(make_article("a1", ["One.", "Two.", "Three."]))
    engine = OpenAIEngine(chat.url + "/v1", "m", None, timeout=5)
    with pytest.raises(EngineError, match="engine returned 3 paragraphs for 4"):
        translate_article(settings, store, "a1", engine=engine, now=NOW)
    art = store.get_article("a1")
    assert art is not None and art.translations == ()
    chat.mode = "ok"
    tr = translate_article(settings, store, "a1", engine=engine, now=NOW)
    assert [p.translation for p in tr.pairs] == [fake_translate(t) for t in
                                                 ("Title of a1", "One.", "Two.", "Three.")]


class DictEngine:
    """An in-process engine with canned translations, for the numbers-check wiring."""

    name = "dict"
    model = "v1"

    def __init__(self, table: dict[str, str]) -> None:
        self.table = table
        self.calls = 0

    def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        self.calls += 1
        return [self.table[t] for t in texts]


def test_pairs_carry_the_numbers_check_flags(store: Store, settings: Settings) -> None:
    good = "ByteDance plans to spend $12bn on AI chips in 2025."
    bad = "In 2024, it ordered about 230,000 of Nvidia's chips."
    store.save_article(make_article("a1", [good, bad], title="ByteDance"))
    engine = DictEngine({
        "ByteDance": "ByteDance",
        good: "ByteDance dự định chi 12 tỷ USD cho chip AI vào năm 2025.",
        bad: "Năm 2024, công ty đã đặt hàng khoảng 320.000 chip Nvidia.",
    })
    tr = translate_article(settings, store, "a1", engine=engine, now=NOW)
    assert [p.flags for p in tr.pairs] == [(), (), (FigureFlag(
        "changed", "changed figure: 230,000 → 320.000", "230,000", "320.000"),)]
    stored = store.get_article("a1")
    assert stored is not None and stored.translations[0].pairs[2].flags == tr.pairs[2].flags


def test_a_reply_with_changed_figures_is_shown_flagged_and_asked_again(
        libre: FakeLibreTranslate, store: Store, settings: Settings) -> None:
    paras = ["ByteDance plans to spend $12bn on AI chips.", "No figures in this one.",
             "In 2024, it ordered about 230,000 chips."]
    store.save_article(make_article("a1", paras, title="ByteDance orders chips"))
    engine = libre_engine(libre)
    libre.mode = "figures"
    first = translate_article(settings, store, "a1", engine=engine, now=NOW)
    assert [bool(p.flags) for p in first.pairs] == [False, True, False, True]
    assert [f.text for f in first.pairs[1].flags] == ["changed figure: $12bn → $23bn"]
    stored = store.get_article("a1")
    assert stored is not None and stored.translations[0].pairs == first.pairs  # the reader sees it
    libre.mode = "ok"
    calls = libre.calls
    second = translate_article(settings, store, "a1", engine=engine, now=NOW)
    assert libre.calls == calls + 1
    assert libre.requests[-1][2]["q"] == [paras[0], paras[2]]  # only the flagged ones
    assert all(not p.flags for p in second.pairs)
    stored = store.get_article("a1")
    assert stored is not None and len(stored.translations) == 1
    assert stored.translations[0].pairs == second.pairs  # replaced
    assert stored.translations[0].pairs[1].translation == fake_translate(paras[0])
    translate_article(settings, store, "a1", engine=engine, now=NOW)
    assert libre.calls == calls + 1  # right answers are cached


def test_a_flagged_translation_cached_by_an_older_version_is_asked_again(
        libre: FakeLibreTranslate, store: Store, settings: Settings) -> None:
    text = "Huawei shipped 230,000 chips."
    store.save_article(make_article("a1", [text], title="Huawei"))
    key = cache_key(text, "en", "vi", "libretranslate", "")
    store.cache_put({key: "VI: Huawei shipped 320,000 chips."}, now=NOW)
    tr = translate_article(settings, store, "a1", engine=libre_engine(libre), now=NOW)
    assert tr.pairs[1].translation == fake_translate(text) and not tr.pairs[1].flags
    assert libre.requests[-1][2]["q"] == ["Huawei", text]


def test_progress_is_reported_per_batch(libre: FakeLibreTranslate, store: Store,
                                        settings: Settings) -> None:
    store.save_article(make_article("a1", PARAS))
    seen: list[tuple[int, int]] = []
    translate_article(settings, store, "a1", engine=libre_engine(libre), now=NOW,
                      on_progress=lambda done, total: seen.append((done, total)))
    assert seen == [(16, 21), (21, 21)]


def test_unknown_article(store: Store, settings: Settings) -> None:
    with pytest.raises(ArticleNotFound, match="no article with id 'nope'"):
        translate_article(settings, store, "nope", engine=DictEngine({}))


def test_translate_untranslated(libre: FakeLibreTranslate, store: Store,
                                settings: Settings) -> None:
    store.save_article(make_article("a1", ["First."]))
    store.save_article(make_article("a2", ["Second."], published="2025-01-10T00:00:00+00:00"))
    store.save_article(make_article("a3", ["Đã là tiếng Việt."], language="vi",
                                    title="Tiêu đề"))
    store.save_article(make_article("a4", ["Fourth."]))
    store.save_translation("a4", Translation("vi", "x", "", ()), now=NOW)
    assert untranslated_ids(store, "vi") == ["a2", "a1"]
    assert untranslated_ids(store, "vi", since="2025-01-15") == ["a1"]
    seen: list[str] = []
    done, failed = translate_untranslated(
        settings, store, engine=libre_engine(libre), now=NOW,
        on_article=lambda aid, tr, err: seen.append(aid))
    assert (done, failed, seen) == (2, [], ["a2", "a1"])
    assert untranslated_ids(store, "vi") == []
    assert untranslated_ids(store, "de") == ["a2", "a1", "a3", "a4"]


def test_translate_untranslated_stops_asking_an_unreachable_engine(
        store: Store, settings: Settings) -> None:
    for aid in ("a1", "a2", "a3"):
        store.save_article(make_article(aid, [f"Text of {aid}."]))
    url = closed_port_url()
    done, failed = translate_untranslated(settings, store,
                                          engine=LibreTranslateEngine(url, "", timeout=2))
    assert done == 0
    assert [aid for aid, _ in failed] == ["a1", "a2", "a3"]
    assert "cannot connect" in failed[0][1]
    assert failed[1][1].startswith("skipped: libretranslate at")


def test_translate_untranslated_goes_on_after_an_article_fails(
        libre: FakeLibreTranslate, store: Store, settings: Settings) -> None:
    store.save_article(make_article("a1", ["First."]))
    store.save_article(make_article("a2", ["Second."]))
    libre.fail_after = 0
    done, failed = translate_untranslated(settings, store, engine=libre_engine(libre))
    assert done == 0 and len(failed) == 2 and libre.calls == 2  # HTTP 500 is not fatal


# -- the CLI command -------------------------------------------------------------------------

def _cli() -> click.Group:
    """A group like briefing's own, with the translate command added the same way."""
    from briefing.cli import Context
    from briefing.cli.translate import translate_command

    @click.group()
    @click.option("--db")
    @click.option("--config", "config_path")
    @click.pass_context
    def group(ctx: click.Context, db: str | None, config_path: str | None) -> None:
        ctx.obj = Context(db, config_path)

    group.add_command(translate_command)
    return group


def _config(tmp_path: Path, engine: str, url: str = "") -> str:
    path = tmp_path / "config.toml"
    text = f'[translation]\nengine = "{engine}"\ntarget = "vi"\ntimeout = 5\n'
    if url:
        text += f'[translation.libretranslate]\nurl = "{url}"\n'
    path.write_text(text, encoding="utf-8")
    return str(path)


def _db_with(tmp_path: Path, *articles: Article) -> str:
    db = tmp_path / "cli.db"
    with Store(db) as s:
        for a in articles:
            s.save_article(a)
    return str(db)


def test_cli_translates_ids_and_reports_failures(libre: FakeLibreTranslate,
                                                 tmp_path: Path) -> None:
    db = _db_with(tmp_path, make_article("a1", ["One."]), make_article("a2", ["Two."]))
    args = ["--db", db, "--config", _config(tmp_path, "libretranslate", libre.url), "translate"]
    # An id naming no article is a usage error, as for `show`, before any engine call.
    result = CliRunner().invoke(_cli(), [*args, "a1", "nope", "a2"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.strip() == "briefing: error: no article with id 'nope'"
    assert libre.calls == 0
    result = CliRunner().invoke(_cli(), [*args, "a1", "a2"])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "a1  vi  2 paragraphs  libretranslate", "a2  vi  2 paragraphs  libretranslate"]
    calls = libre.calls
    result = CliRunner().invoke(_cli(), [*args, "--untranslated"])
    assert result.exit_code == 0 and result.stdout == "nothing to translate into vi\n"
    result = CliRunner().invoke(_cli(), [*args, "a1"])
    assert result.exit_code == 0 and libre.calls == calls  # cached


def test_cli_untranslated_with_an_engine_failure(libre: FakeLibreTranslate,
                                                 tmp_path: Path) -> None:
    db = _db_with(tmp_path, make_article("a1", ["One."]))
    libre.mode = "500"
    result = CliRunner().invoke(_cli(), ["--db", db, "--config", _config(
        tmp_path, "libretranslate", libre.url), "translate", "--untranslated",
        "--since", "2025-01-01"])
    assert result.exit_code == 1
    assert "briefing: a1: libretranslate at" in result.stderr and "HTTP 500" in result.stderr
    assert result.stdout == ""


def test_cli_without_an_engine_is_a_config_error(tmp_path: Path) -> None:
    db = _db_with(tmp_path, make_article("a1", ["One."]))
    result = CliRunner().invoke(_cli(), ["--db", db, "--config", _config(tmp_path, "none"),
                                         "translate", "a1"])
    assert result.exit_code == 3
    assert 'engine = "libretranslate"' in result.stderr and "briefing locate" in result.stderr
    result = CliRunner().invoke(_cli(), ["--db", db, "translate", "--engine", "deepl", "a1"])
    assert result.exit_code == 3 and "unknown translation engine 'deepl'" in result.stderr


@pytest.mark.parametrize(("argv", "message"), [
    ([], "nothing to translate"),
    (["a1", "--untranslated"], "not both"),
    (["a1", "--since", "2025-01-01"], "--since goes with --untranslated"),
    (["--untranslated", "--since", "last tuesday"], "expected a date"),
])
def test_cli_usage_errors(tmp_path: Path, argv: list[str], message: str) -> None:
    result = CliRunner().invoke(_cli(), ["--db", str(tmp_path / "u.db"), "translate", *argv])
    assert result.exit_code == 2
    assert message in result.stderr


def test_cli_translate_into_a_closed_pipe_exits_quietly(libre: FakeLibreTranslate,
                                                        tmp_path: Path) -> None:
    import subprocess
    import sys

    db = _db_with(tmp_path, make_article("a1", ["One."]), make_article("a2", ["Two."]))
    proc = subprocess.Popen(
        [sys.executable, "-m", "briefing", "--db", db, "--config",
         _config(tmp_path, "libretranslate", libre.url), "translate", "--untranslated"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # before the child starts: its first line meets no reader
    code = proc.wait(timeout=120)
    err = proc.stderr.read()
    proc.stderr.close()
    assert (code, err) == (0, "")
    assert libre.calls == 1  # it stopped at the first line nobody would read
