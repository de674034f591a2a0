"""The config check: every value no run could work with is refused with the key's name."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing import config, keymap


def _load(tmp_path: Path, text: str) -> config.Settings:
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    return config.load(path)


@pytest.mark.parametrize(("text", "message"), [
    ("[fetch]\nworkers = -3", "fetch.workers must be at least 0 and at most 1024"),
    ("[fetch]\nmax_bytes = -1", "fetch.max_bytes must be at least 1"),
    ("[fetch]\nmax_redirects = -2", "fetch.max_redirects must be at least 0"),
    ("[fetch]\nread_timeout = 0", "fetch.read_timeout must be above 0"),
    ("[fetch]\nconnect_timeout = -5", "fetch.connect_timeout must be above 0"),
    ("[fetch]\ntotal_timeout = nan", "fetch.total_timeout must be above 0"),
    ("[fetch]\nextract_timeout = inf", "fetch.extract_timeout must be above 0 and at most 86400"),
    ("[fetch]\nconcurrency = 0", "fetch.concurrency must be at least 1"),
    ("[fetch]\nper_host = 0", "fetch.per_host must be at least 1"),
    ("[fetch]\nextract_max_bytes = 0", "fetch.extract_max_bytes must be at least 1"),
    ("[fetch]\nteaser_chars = -1", "fetch.teaser_chars must be at least 0"),
    ("[fetch]\nuser_agent = \"a\\nX-Evil: 1\"", "fetch.user_agent must be one line"),
    ("[translation]\ntimeout = -1", "translation.timeout must be above 0"),
    ("[translation]\nengine = \"deepl\"", "translation.engine must be one of libretranslate"),
    ("[translation]\ntarget = \" \"", "translation.target must name a language"),
    ("[translation.libretranslate]\nurl = \"localhost:5000\"",
     "translation.libretranslate.url must be an http(s) URL"),
    ("refresh_seconds = 0", "refresh_seconds must be at least 1"),
    ("[[feeds]]\ntags = [\"x\"]", "feeds: entry 1 has no url"),
    ("[keys]\nstra = \"x\"", "keys.stra: no such binding (ids: add_feed, back, bottom"),
    ("[keys]\nstar = \"q\"", 'keys.star = "q": q is also the key of quit in the main screen'),
    ("[keys]\nstar = \"f\"\nopen_link = \"f\"", "f is also the key of"),
    ("[keys]\nscroll_down = \"t\"", 'keys.scroll_down = "t": t is also the key of translate in '
     "the reader"),
    ("[keys]\nstar = \"ctrl+p\"", "ctrl+p is Textual's key for the command palette"),
    ("[keys]\nstar = \"a,,b\"", "is not a key or comma-separated keys"),
    ("[keys]\nstar = \"ctrl+\"", "is not a key or comma-separated keys"),
    ("[keys]\nstar = \"+\"", "is not a key or comma-separated keys"),
    ("[keys]\nstar = \"ctrl+banana+x\"", "is not a key or comma-separated keys"),
    ("[keys]\nstar = \"" + "a" * 41 + "\"", "is not a key or comma-separated keys"),
    # In the file's own terms, not Python's ("must be int, not True", "not 'deepl'").
    ("[fetch]\nworkers = true", "fetch.workers must be a whole number, not true"),
    ("[fetch]\nworkers = \"4\"", 'fetch.workers must be a whole number, not "4"'),
    ("[fetch]\nread_timeout = \"fast\"", 'fetch.read_timeout must be a number, not "fast"'),
    ("[fetch]\nextract = 1", "fetch.extract must be true or false, not 1"),
    ("[fetch]\nuser_agent = 7", "fetch.user_agent must be a string in quotes, not 7"),
    ("[fetch]\nworkers = [1]", "fetch.workers must be a whole number, not a list"),
    ("[fetch]\nworkers = 1979-05-27", "must be a whole number, not a date (1979-05-27)"),
    ("[translation]\nengine = \"deepl\"", 'bergamot, none, not "deepl"'),
    ("[fetch]\nuser_agent = \"a\\nX-Evil: 1\"", 'characters), not "a\\nX-Evil: 1"'),
    ("[fetch]\nworkers = -3", "(processes, 0 for one per core), not -3"),
    ("[fetch]\nread_timeout = -0.5", "not -0.5"),
    # What a stranger's config may hold: control characters, sizes no header takes.
    ("[translation]\ntarget = \"\\u001b[31m\"",
     'translation.target must be a language code like "vi" or "pt-BR" (or a language\'s name), '
     'not "\\u001b[31m"'),
    ("[translation]\ntarget = \"" + "v" * 41 + "\"", "translation.target must be a language code"),
    ("[translation]\ntarget = \"vi; rm\"", "translation.target must be a language code"),
    ("[translation.libretranslate]\nurl = \"http://a\\nb\"",
     'translation.libretranslate.url must be an http(s) URL, not "http://a\\nb"'),
    ("[translation.openai]\nbase_url = \"http://a b\"", "translation.openai.base_url must be"),
    ("[fetch]\nuser_agent = \"" + "a" * 501 + "\"", "(at most 500 characters)"),
    ("[fetch]\nallow_private = [\"a/b/c\"]", 'fetch.allow_private: "a/b/c" is neither'),
])
def test_a_bad_value_is_refused_naming_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(config.ConfigError) as info:
        _load(tmp_path, text)
    assert str(info.value).startswith(f"{tmp_path / 'c.toml'}: ")
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_good_values_and_remaps_are_accepted(tmp_path: Path) -> None:
    s = _load(tmp_path, "[fetch]\nworkers = 0\nmax_redirects = 0\nread_timeout = 0.5\n"
                        "[keys]\nstar = \"f\"\nquit = \"ctrl+q\"\n"
                        "open_link = \"s\"\n")  # s is free once star moved away
    assert s.fetch.workers == 0 and s.fetch.read_timeout == 0.5
    assert s.keys == {"star": "f", "quit": "ctrl+q", "open_link": "s"}


def test_the_default_settings_and_bindings_pass_the_check() -> None:
    config.check(config.Settings())
    keymap.check({})


def test_a_named_config_file_must_exist(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    assert config.load(missing) == config.Settings()  # the default path may be absent
    with pytest.raises(config.ConfigError, match=r"nope\.toml: no such config file$"):
        config.load(missing, required=True)


def test_textual_reserved_keys_are_the_ones_textual_binds() -> None:
    from textual.app import App
    from textual.screen import Screen

    bound = {k.strip() for b in (*App.BINDINGS, *Screen.BINDINGS)
             for k in getattr(b, "key", "").split(",")}
    bound.add(App.COMMAND_PALETTE_BINDING)
    bound.discard("super+c")  # macOS copy; no terminal sends it to a TUI
    assert bound == set(keymap.RESERVED)


def test_the_tui_table_is_the_keymap_table() -> None:
    from textual.binding import Binding

    from briefing.tui import keys

    assert keys.COMMANDS is keymap.COMMANDS
    ids = [b.id for b in keys.bindings("reader") if isinstance(b, Binding)]
    assert ids == [c.id for c in keymap.commands("reader")]


@pytest.mark.parametrize(("text", "message"), [
    ("refresh_seconds = " + "9" * 5000, "invalid TOML: a number too long to read"),
    ("a = " + "[" * 2000 + "1" + "]" * 2000, "invalid TOML: arrays or tables nested too deeply"),
    ("refresh_seconds = " + "9" * 200, "not 99999999999999999999... (200 digits)"),
    ("refresh_seconds = 07:32:00", "must be a whole number, not a time (07:32:00)"),
])
def test_a_file_python_cannot_hold_is_one_line_not_a_traceback(
        tmp_path: Path, text: str, message: str) -> None:
    """These raised ValueError and RecursionError past the config check: a traceback, exit 1."""
    with pytest.raises(config.ConfigError) as info:
        _load(tmp_path, text)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_only_a_regular_file_of_a_sane_size_is_read(tmp_path: Path) -> None:
    """`--config /dev/zero` read until the memory ran out; a FIFO would wait forever; a
    byte order mark an editor left was "Invalid statement"."""
    import os

    bom = tmp_path / "bom.toml"
    bom.write_bytes(b"\xef\xbb\xbfrefresh_seconds = 5\n")
    assert config.load(bom).refresh_seconds == 5
    huge = tmp_path / "huge.toml"
    huge.write_bytes(b"#" * (config.MAX_CONFIG_BYTES + 1))
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    for path, reason in ((huge, "over 1 MB, not a config file"),
                         (Path("/dev/zero"), "not a regular file"), (fifo, "not a regular file")):
        with pytest.raises(config.ConfigError) as info:
            config.load(path)
        assert str(info.value) == f"{path}: cannot read config: {reason}"


def test_language_codes_and_a_host_name_in_its_own_letters_are_accepted(tmp_path: Path) -> None:
    from briefing.sources.addresses import parse_allow

    for code in ("vi", "pt-BR", "zh_Hant", "yue", "en-US-u-ca-gregory", "Vietnamese",
                 "Tiếng Việt"):
        assert _load(tmp_path, f'[translation]\ntarget = "{code}"').translation.target == code
    allowed = parse_allow(["bücher.lan"])
    assert {"bücher.lan", "xn--bcher-kva.lan"} <= allowed.hosts
