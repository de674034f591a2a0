"""Preferences the reading room changes as it is used (theme, the reader's view mode, the
list's sort order, original or translated titles), kept in a state file of their own.

They are never written to the user's config: that file is the user's, hand-written and
perhaps under version control, and a TUI that rewrites it loses its comments. The state file
is written whole to a temporary file and renamed over the old one, so a crash mid-write
leaves the previous state; a state file that cannot be read is ignored with a warning (the
defaults are used, and the next change writes a good one).
"""

from __future__ import annotations

import errno
import json
import logging
import os
import stat
import tempfile
import tomllib
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

log = logging.getLogger(__name__)

VIEW_MODES = ("original", "side", "stacked", "translation")
SORTS = ("newest", "oldest")
TITLES = ("translated", "original")
_CHOICES: dict[str, tuple[str, ...]] = {"view_mode": VIEW_MODES, "sort": SORTS,
                                        "titles": TITLES}
MAX_BYTES = 64 * 1024  # a few short keys; anything bigger is not ours


@dataclass(frozen=True)
class UIState:
    theme: str = ""
    """A Textual theme name; "" keeps Textual's default."""
    view_mode: str = "original"
    """The reader's mode for the next article: original | side | stacked | translation."""
    sort: str = "newest"
    """The article lists' order by publication time: newest | oldest first."""
    titles: str = "translated"
    """Lists show the title in the reader's language when a translation has one, or the
    original's: translated | original (`T` switches)."""


def load(path: Path) -> tuple[UIState, str | None]:
    """The state at `path` and a warning when the file was there but unusable (the defaults
    are returned then). A missing file is no warning: it is the first launch."""
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):  # a FIFO would hang the start, /dev/zero fill memory
            return UIState(), f"{path}: ignored: not a regular file"
        if st.st_size > MAX_BYTES:
            return UIState(), f"{path}: ignored: larger than {MAX_BYTES:,} bytes"
        with path.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)  # the size again: it may have grown since
        data = tomllib.loads(raw[:MAX_BYTES].decode("utf-8-sig"))
    except (FileNotFoundError, NotADirectoryError):
        # No file (a file where its folder should be holds none either): the first save
        # says what is wrong, once, if it cannot write one.
        return UIState(), None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return UIState(), f"{path}: ignored, the defaults are used: {exc}"
    except (ValueError, RecursionError):  # a number past Python's 4,300 digits; deep nesting
        return UIState(), f"{path}: ignored, the defaults are used: not a state file"
    state = UIState()
    bad: list[str] = []
    for f in fields(UIState):
        value = data.get(f.name)
        if value is None:
            continue
        if not isinstance(value, str) or (f.name in _CHOICES and value not in _CHOICES[f.name]):
            bad.append(f.name)
            continue
        state = replace(state, **{f.name: value})
    if bad:
        return state, f"{path}: ignored {', '.join(bad)}: not one of the values it can take"
    return state, None


def save(path: Path, state: UIState) -> None:
    """Write `state` to `path` atomically (a temporary file beside it, then a rename).
    Raises OSError when the folder cannot be made or written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:  # mkdir's own reason, "File exists", misleads
        raise NotADirectoryError(errno.ENOTDIR, "a file stands where its folder should be",
                                 str(path.parent)) from exc
    # JSON's string escapes are valid TOML basic strings.
    body = "# briefing's reading room keeps its preferences here; the config file is yours.\n"
    body += "".join(f"{k} = {json.dumps(v)}\n" for k, v in asdict(state).items())
    fd, tmp = tempfile.mkstemp(prefix=".state-", suffix=".toml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(body)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
