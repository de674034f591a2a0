"""Local sources: classify a path (feed, OPML, HTML or text article) and walk directories."""

from __future__ import annotations

import glob
import os
import re
import stat
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Literal

from briefing.errors import BriefingError

LocalKind = Literal["feed", "opml", "html", "text"]

FEED_SUFFIXES = {".xml", ".rss", ".atom", ".rdf", ".cdf", ".json"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
OPML_SUFFIXES = {".opml"}
KNOWN_SUFFIXES = FEED_SUFFIXES | HTML_SUFFIXES | TEXT_SUFFIXES | OPML_SUFFIXES
# A folder's own notes are not news: skipped in walks, still read when named explicitly.
SKIPPED_NAMES = {"readme", "license", "licence", "copying", "changelog", "notice"}
# Root elements that make an .html or extension-less file a feed after all.
_FEED_ROOTS = (b"<rss", b"<feed", b"<rdf:rdf", b"<channel", b"<?xml")


class LocalError(BriefingError):
    """A local path that cannot be read as a source; the message names it and why."""


# `story.vi.md` beside `story.html` is story's Vietnamese translation.
_SIDECAR = re.compile(r"^(?P<stem>.+)\.(?P<lang>[a-z]{2})\.(?:txt|md|markdown)$")
_ARTICLE_SUFFIXES = (".html", ".htm", ".txt", ".md", ".markdown")


def sidecar_of(path: Path) -> Path | None:
    """The article that `path` translates, when `path` is a translation sidecar."""
    m = _SIDECAR.match(path.name)
    if not m:
        return None
    for suffix in _ARTICLE_SUFFIXES:
        base = path.with_name(m["stem"] + suffix)
        if base != path and base.is_file():
            return base
    return None


def sidecars(path: Path, index: Mapping[str, Sequence[str]] | None = None
             ) -> list[tuple[str, Path]]:
    """Translation files beside an article: (language, path), sorted by language. `index`:
    its folder's `sidecar_index`, made once for a folder's every file (a glob per file made
    a folder of 3,000 notes take 20 s, its listing read 3,000 times)."""
    if index is None:
        index = sidecar_index(path.parent, path.stem)
    out = []
    for name in sorted(index.get(path.stem, ())):
        cand = path.with_name(name)
        m = _SIDECAR.match(name)
        if m and sidecar_of(cand) == path and (
                _outside_reason(cand, path.parent.resolve()) is None):
            out.append((m["lang"], cand))
    return out


def sidecar_index(folder: Path, stem: str | None = None) -> dict[str, list[str]]:
    """Stem -> the names in `folder` shaped as its translations (`story.vi.md`: "story");
    only those of `stem` when given."""
    index: dict[str, list[str]] = {}
    try:
        if stem is not None:
            names = [p.name for p in folder.glob(f"{glob.escape(stem)}.??.*")]
        else:
            names = os.listdir(folder)
    except OSError:
        return index
    for name in names:
        m = _SIDECAR.match(name)
        if m:
            index.setdefault(m["stem"], []).append(name)
    return index


def classify(path: Path, head: bytes) -> LocalKind:
    """What a file is, from its suffix, then from its first bytes."""
    suffix = path.suffix.lower()
    sniff = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if suffix in OPML_SUFFIXES or sniff.startswith(b"<opml") or (
            sniff.startswith(b"<?xml") and b"<opml" in sniff[:300]):
        return "opml"
    if suffix in FEED_SUFFIXES:
        return "feed"
    if suffix in HTML_SUFFIXES:
        return "feed" if sniff.startswith(_FEED_ROOTS[:4]) else "html"
    if suffix in TEXT_SUFFIXES:
        return "text"
    if sniff.startswith(_FEED_ROOTS):
        return "feed"
    if sniff.startswith((b"<!doctype html", b"<html")):
        return "html"
    return "text"


def walk(root: Path, skipped: list[tuple[str, str]] | None = None) -> Iterator[Path]:
    """Files under `root` with a known suffix, sorted, hidden and note files skipped.

    The walk stays inside `root`: a symbolic link that leads out of it (to /etc/passwd, say)
    and anything that is not a regular file (a FIFO would hang the read) are left out, each
    added to `skipped` as (path, reason). Linked folders are not entered (os.walk's
    default)."""
    real_root = root.resolve()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            p = Path(dirpath) / name
            if name.startswith(".") or p.stem.lower() in SKIPPED_NAMES:
                continue
            if p.suffix.lower() not in KNOWN_SUFFIXES:
                continue
            reason = _outside_reason(p, real_root)
            if reason is None:
                yield p
            elif skipped is not None:
                skipped.append((str(p), reason))


def _outside_reason(path: Path, real_root: Path) -> str | None:
    """Why a file met in a folder is not read as part of it, or None when it is."""
    try:
        if path.is_symlink() and not path.resolve().is_relative_to(real_root):
            return "a symbolic link to a file outside the folder; skipped"
        mode = path.stat().st_mode
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}"
    if not stat.S_ISREG(mode):
        return f"{_not_regular(mode)}; skipped"
    return None


def _not_regular(mode: int) -> str:
    kind = ("a directory" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode)
            else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "special")
    return f"not a regular file ({kind})"


def _open_regular(path: Path) -> int:
    """A descriptor for `path` if it is a regular file. The mode is checked before opening (a
    device may act on open) and again on the open descriptor, in case the name was swapped
    meanwhile; O_NONBLOCK keeps open() itself from waiting for a FIFO's writer."""
    mode = path.stat().st_mode
    if not stat.S_ISREG(mode):
        raise LocalError(_not_regular(mode))
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise LocalError(_not_regular(mode))
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_bytes(path: Path, max_bytes: int, *, head: bool = False) -> bytes:
    """The file's bytes (or only its first `max_bytes` with `head`), or a LocalError naming the
    reason (missing, not a regular file, unreadable, too big). Only regular files are read."""
    try:
        fd = _open_regular(path)
        with os.fdopen(fd, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > max_bytes and not head:
                raise LocalError(f"file is {size:,} bytes, over the {max_bytes:,}-byte cap")
            return fh.read(max_bytes if head else max_bytes + 1)
    except FileNotFoundError:
        raise LocalError("no such file or directory") from None
    except OSError as exc:
        raise LocalError(f"cannot read: {exc.strerror or exc}") from None


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with a BOM; anything else is refused plainly."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise LocalError(f"invalid UTF-16 text at byte {exc.start}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LocalError(
            f"not valid UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None
