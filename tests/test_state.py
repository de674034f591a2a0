"""The TUI's state file (briefing/state.py) and the subscribe checks both front ends share."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from briefing import locations, state
from briefing.sources.subscribe import SourceRejected, check_name, check_source, check_tags


def test_state_file_follows_the_env_then_the_platform_state_dir(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert locations.state_file() == tmp_path / "home" / "state" / "briefing" / "state.toml"
    monkeypatch.setenv("BRIEFING_STATE", str(tmp_path / "s.toml"))
    assert locations.state_file() == tmp_path / "s.toml"


def test_missing_file_is_the_first_launch_not_a_warning(tmp_path: Path) -> None:
    assert state.load(tmp_path / "none.toml") == (state.UIState(), None)


def test_save_then_load_round_trips_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "state.toml"
    saved = state.UIState(theme='odd "name" \\ ü', view_mode="side", sort="oldest",
                          titles="original")
    state.save(path, saved)
    assert state.load(path) == (saved, None)
    assert [p.name for p in path.parent.iterdir()] == ["state.toml"]


def test_oversized_or_wrong_values_fall_back_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "state.toml"
    path.write_text('view_mode = "side"\n# ' + "x" * state.MAX_BYTES, encoding="utf-8")
    got, warning = state.load(path)
    assert got == state.UIState() and warning is not None and "larger than" in warning
    path.write_text('view_mode = "upside-down"\ntheme = "nord"\n', encoding="utf-8")
    got, warning = state.load(path)
    assert got == state.UIState(theme="nord")
    assert warning is not None and "view_mode" in warning


def test_a_folder_that_cannot_be_made_raises_oserror_and_keeps_the_old_file(
        tmp_path: Path) -> None:
    path = tmp_path / "state.toml"
    state.save(path, state.UIState(sort="oldest"))
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(OSError):
        state.save(blocker / "state.toml", state.UIState())
    assert state.load(path)[0].sort == "oldest"


def test_check_source_takes_urls_and_real_paths_only(tmp_path: Path) -> None:
    assert check_source("  https://example.com/feed.xml ") == "https://example.com/feed.xml"
    (tmp_path / "f.xml").write_text("<rss/>")
    assert check_source(str(tmp_path / "f.xml")) == str((tmp_path / "f.xml").resolve())
    assert check_source(f"file://{tmp_path}") == str(tmp_path.resolve())
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(SourceRejected, match="not a regular file or a folder"):
        check_source(str(fifo))
    with pytest.raises(SourceRejected, match="only http and https"):
        check_source("javascript://alert(1)")
    with pytest.raises(SourceRejected, match="no host name"):
        check_source("http://")
    with pytest.raises(SourceRejected, match="no such file"):
        check_source(str(tmp_path / "missing.xml"))


def test_tags_and_names() -> None:
    assert check_tags("#world, news  world,,") == ("world", "news")
    assert check_name("  My feed ") == "My feed"
    with pytest.raises(SourceRejected, match="at most"):
        check_name("x" * 201)
    with pytest.raises(SourceRejected, match="control characters"):
        check_tags("a\x07b")


@pytest.mark.parametrize("text", ["a = " + "[" * 2000 + "1" + "]" * 2000,
                                  "sort = " + "9" * 5000])
def test_a_state_file_python_cannot_hold_is_a_warning(tmp_path: Path, text: str) -> None:
    """Deep nesting and an over-long number raised RecursionError / ValueError at start-up."""
    path = tmp_path / "state.toml"
    path.write_text(text, encoding="utf-8")
    loaded, warning = state.load(path)
    assert loaded == state.UIState()
    assert warning == f"{path}: ignored, the defaults are used: not a state file"


def test_a_state_path_that_is_no_regular_file_is_passed_over(tmp_path: Path) -> None:
    """A FIFO in its place hung the start; a byte order mark an editor left was an error."""
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    assert state.load(fifo) == (state.UIState(), f"{fifo}: ignored: not a regular file")
    bom = tmp_path / "bom.toml"
    bom.write_bytes(b"\xef\xbb\xbf" + b'view_mode = "side"\n')
    loaded, warning = state.load(bom)
    assert warning is None and loaded.view_mode == "side"
