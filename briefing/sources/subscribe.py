"""What a user types to subscribe (a feed URL or a path), checked once for both front ends:
`briefing feeds add` and the reading room's add-feed dialog give the same answer.

A URL the user names is theirs to trust (see `addresses.trusted_origins`): the address rules
apply where a stranger chooses, on redirects to other hosts and on teaser links, at fetch
time. What is refused here is what can never work: no scheme but http(s), no host, a bad
port, control characters (a pasted escape sequence), or a path that is not a regular file or
a folder.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from briefing.errors import UsageError
from briefing.locations import NOT_UTF8, expand_user, not_utf8, shown_name
from briefing.models import Source
from briefing.text import one_line, sanitize
from briefing.urls import address_problem, is_http_url

MAX_NAME = 200
_TAG_SPLIT = re.compile(r"[\s,]+")


class SourceRejected(ValueError):
    """One line saying what was typed and why it cannot be subscribed to."""


def _clean(value: str, what: str) -> str:
    text = value.strip()
    if sanitize(text, keep_newlines=False) != text or any(c in text for c in "\t\r\n"):
        raise SourceRejected(f"{one_line(text, 200)}: {what} contains control characters")
    return text


def check_source(value: str) -> str:
    """The source to store for what the user typed: the URL, or the path made absolute.
    Raises SourceRejected with the reason."""
    text = _clean(value, "the address")
    if not text:
        # Path("") is the current folder, which would subscribe whatever the user stands in.
        raise SourceRejected("empty source: pass a feed URL or a file")
    scheme = text.split("://", 1)[0].lower() if "://" in text else ""
    if scheme in ("http", "https"):
        problem = address_problem(text)
        if problem:
            raise SourceRejected(f"{one_line(text, 200)}: {problem}")
        return text
    if scheme and scheme != "file":
        raise SourceRejected(f"{one_line(text, 200)}: only http and https URLs are fetched")
    if not_utf8(text):
        raise SourceRejected(f"{shown_name(text)}: {NOT_UTF8}")
    try:
        path = expand_user(text.removeprefix("file://") if scheme == "file" else text)
    except UsageError as exc:
        raise SourceRejected(str(exc)) from None
    if not path.exists():
        raise SourceRejected(f"{one_line(text, 200)}: not an http(s) URL and no such file")
    if not (path.is_file() or path.is_dir()):
        raise SourceRejected(f"{one_line(text, 200)}: not a regular file or a folder")
    return str(path.resolve())


def check_tags(value: str) -> tuple[str, ...]:
    """Tags typed as `world, news` or `#world #news`: split, stripped of `#`, each once."""
    text = _clean(value, "the tag list")
    tags = (t.lstrip("#") for t in _TAG_SPLIT.split(text))
    return tuple(dict.fromkeys(t for t in tags if t))


def check_name(value: str) -> str:
    """A feed's new name ("" goes back to the feed's own title)."""
    text = _clean(value, "the name")
    if len(text) > MAX_NAME:
        raise SourceRejected(f"a name of {len(text)} characters: at most {MAX_NAME}")
    return text


def members_of(subscribed: Sequence[Source], every: Sequence[Source]) -> dict[str, list[Source]]:
    """A subscribed folder's files: the fetch records each as a source of its own."""
    return {s.url: [m for m in every if m.url.startswith(s.url.rstrip("/") + "/")]
            for s in subscribed if s.kind != "feed" or not is_http_url(s.url)}


def last_fetch(s: Source, members: Sequence[Source] = ()) -> tuple[str, str]:
    """(state, text) of a feed's last fetch, for both front ends: state is gone | error | ok |
    new; a folder's comes from its files (the first failing one named)."""
    if s.gone:
        return "gone", "gone (410): remove it"
    if s.last_error:
        return "error", s.last_error
    failing = [m for m in members if m.last_error]
    if failing:
        first = failing[0]
        more = f" (and {len(failing) - 1} more)" if len(failing) > 1 else ""
        return "error", f"{first.url.rsplit('/', 1)[-1]}: {first.last_error}{more}"
    if s.last_fetched or any(m.last_fetched for m in members):
        return "ok", (f"ok, {len(members)} files" if members else "ok")
    return "new", "not fetched yet"
