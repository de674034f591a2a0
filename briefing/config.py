"""Typed settings, loaded once from TOML by the CLI and passed down.

Every field has a default, so a missing config file is a valid config (unless the user named
it: then it must exist). Unknown keys and values out of range are an error naming the key,
because a typo silently ignored is worse than a refusal; every command checks the whole file
the same way before doing anything.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import stat
import tomllib
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any, get_type_hints

from briefing import keymap
from briefing.errors import BriefingError
from briefing.exit_codes import ExitCode

USER_AGENT = "briefing/0.1 (+terminal news reader)"


class ConfigError(BriefingError):
    """The config file is unreadable or invalid; the message names the file and the reason."""

    exit_code = ExitCode.CONFIG


@dataclass
class FetchSettings:
    concurrency: int = 8
    """Feeds fetched at once."""
    per_host: int = 2
    """Requests at once to one host, so a big site is not hammered."""
    connect_timeout: float = 10.0
    """Seconds to establish a connection."""
    read_timeout: float = 20.0
    """Seconds without a byte before giving up."""
    total_timeout: float = 60.0
    """Seconds for one whole response, however slowly it drips."""
    max_bytes: int = 20_000_000
    """Decoded body cap for a feed; bigger is refused (stops gzip bombs)."""
    max_redirects: int = 5
    """Redirects followed before giving up."""
    extract: bool = True
    """Fetch the linked page for teaser-only items and extract the full text."""
    extract_max_bytes: int = 5_000_000
    """Body cap for an article page."""
    extract_timeout: float = 10.0
    """Seconds for extracting one article page."""
    teaser_chars: int = 600
    """Items with less text than this count as teasers."""
    workers: int = 0
    """Processes for parsing and tagging; 0 means one per core."""
    user_agent: str = USER_AGENT
    """Sent with every request."""
    source_seconds: float = 300.0
    """Seconds one source may take, fetching and processing; past it the source is skipped
    with a line saying so, and the run goes on."""
    pages_per_feed: int = 50
    """Teaser pages fetched per feed per run; the rest are fetched on later runs."""
    readable_first: bool = True
    """Store each article readable and searchable first, and tag it (facts, bullets, summary,
    tags, stories) behind in the same run; a run killed in between is finished by the next
    `briefing fetch` or `briefing tag`."""

    allow_private: list[str] = field(default_factory=list)
    """Networks (CIDR) and host names that links from feeds may reach although they are
    internal (loopback, private, link-local), e.g. ["192.168.1.0/24", "feeds.home.lan"]."""

    def __post_init__(self) -> None:
        from briefing.sources.addresses import parse_allow

        parse_allow(self.allow_private)  # a bad entry is a config error naming it


@dataclass
class LibreTranslateSettings:
    url: str = "http://127.0.0.1:5000"
    api_key: str = ""


@dataclass
class OpenAISettings:
    base_url: str = "http://127.0.0.1:11434/v1"
    model: str = "qwen2.5:7b-instruct"
    api_key_env: str = "OPENAI_API_KEY"


@dataclass
class ArgosSettings:
    pass


@dataclass
class TranslationSettings:
    target: str = "vi"
    """The reader's language."""
    engine: str = "none"
    """libretranslate | openai | argos | apertium | bergamot | none"""
    timeout: float = 120.0
    """Seconds for one engine request, from connecting to the last byte of the reply."""
    auto: bool = False
    """Translate the articles each `briefing fetch` stores (as `fetch --translate`)."""
    libretranslate: LibreTranslateSettings = field(default_factory=LibreTranslateSettings)
    openai: OpenAISettings = field(default_factory=OpenAISettings)
    argos: ArgosSettings = field(default_factory=ArgosSettings)


@dataclass
class BriefingSettings:
    writer: str = "extractive"
    """extractive (the article's own sentences; needs nothing) | llm (bullets and summary
    written by the [translation.openai] server with `briefing write`, figures checked)"""
    writer_max_chars: int = 12_000
    """Characters of the article sent to the llm writer: whole paragraphs, the rest left out."""
    writer_timeout: float = 180.0
    """Seconds for one writer request, from connecting to the last byte of the reply."""


@dataclass
class StoreSettings:
    keep_days: int = 0
    """Delete articles published more than this many days ago, after each fetch and with
    `briefing prune`; 0 keeps every article. Starred articles and their stories are kept."""
    max_per_feed: int = 0
    """Keep at most this many articles of each feed (the newest), besides starred ones and
    their stories; 0 for no limit."""


@dataclass
class FeedSetting:
    url: str = ""
    tags: list[str] = field(default_factory=list)


@dataclass
class Settings:
    fetch: FetchSettings = field(default_factory=FetchSettings)
    translation: TranslationSettings = field(default_factory=TranslationSettings)
    briefing: BriefingSettings = field(default_factory=BriefingSettings)
    store: StoreSettings = field(default_factory=StoreSettings)
    feeds: list[FeedSetting] = field(default_factory=list)
    """Feeds read on every `briefing fetch` with no SOURCE, besides `feeds add` ones."""
    keys: dict[str, str] = field(default_factory=dict)
    """Binding id -> key, e.g. star = "f"."""
    refresh_seconds: int = 30
    """How often the open TUI checks the database for articles a cron fetch added."""
    mark_read: str = "open"
    """When the reader marks an article read: "open" (as it opens) or "leave" (as you go on
    to another article or back to the list)."""


def load(path: Path | None, *, required: bool = False) -> Settings:
    """Read and check settings from `path`; a missing file gives the defaults, unless
    `required` (the user named the file)."""
    if path is None or not path.exists():
        if path is not None and required:
            raise ConfigError(f"{path}: no such config file")
        return Settings()
    try:
        text = _read(path).decode("utf-8-sig")  # an editor's byte order mark is no error
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    except ValueError:  # Python's own limit on an integer's digits (4,300)
        raise ConfigError(f"{path}: invalid TOML: a number too long to read") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: arrays or tables nested too deeply") from None
    try:
        settings: Settings = _build(Settings, data, "")
        check(settings)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    except RecursionError:
        raise ConfigError(f"{path}: arrays or tables nested too deeply") from None
    return settings


MAX_CONFIG_BYTES = 1 << 20  # a config file is a few kilobytes; /dev/zero is not one


def _read(path: Path) -> bytes:
    """The file's bytes: a regular file of at most MAX_CONFIG_BYTES (a FIFO would wait, and a
    device or a huge file would fill the memory)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with open(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError("not a regular file")
        data = f.read(MAX_CONFIG_BYTES + 1)
    if len(data) > MAX_CONFIG_BYTES:
        raise OSError(f"over {MAX_CONFIG_BYTES // (1 << 20)} MB, not a config file")
    return data


ENGINES = ("libretranslate", "openai", "argos", "apertium", "bergamot", "none")
WRITERS = ("extractive", "llm")
_DAY = 86_400.0
# (where, lowest, highest, what it is): the values past which every fetch or call would fail
# (a zero timeout, a negative cap) or the machine would suffer (a million worker processes).
_RANGES: tuple[tuple[str, float, float, str], ...] = (
    ("fetch.concurrency", 1, 1000, "feeds at once"),
    ("fetch.per_host", 1, 100, "requests at once to one host"),
    ("fetch.connect_timeout", 0, _DAY, "seconds"),
    ("fetch.read_timeout", 0, _DAY, "seconds"),
    ("fetch.total_timeout", 0, _DAY, "seconds"),
    ("fetch.max_bytes", 1, 2**40, "bytes"),
    ("fetch.max_redirects", 0, 100, "redirects"),
    ("fetch.extract_max_bytes", 1, 2**40, "bytes"),
    ("fetch.extract_timeout", 0, _DAY, "seconds"),
    ("fetch.teaser_chars", 0, 10_000_000, "characters"),
    ("fetch.workers", 0, 1024, "processes, 0 for one per core"),
    ("fetch.source_seconds", 0, 7 * _DAY, "seconds"),
    ("fetch.pages_per_feed", 0, 1_000_000, "pages, 0 to keep every teaser"),
    ("translation.timeout", 0, _DAY, "seconds"),
    ("briefing.writer_max_chars", 200, 10_000_000, "characters"),
    ("briefing.writer_timeout", 0, _DAY, "seconds"),
    ("refresh_seconds", 1, _DAY, "seconds"),
    ("store.keep_days", 0, 100_000, "days, 0 to keep every article"),
    ("store.max_per_feed", 0, 100_000_000, "articles, 0 for no limit"),
)


def check(settings: Settings) -> None:
    """Raise ValueError naming the first setting whose value no run could work with."""
    for where, low, high, unit in _RANGES:
        value: Any = settings
        for part in where.split("."):
            value = getattr(value, part)
        # A float setting is a duration, and a duration of 0 ends every call at once. The
        # comparisons also refuse nan, which TOML allows.
        above = isinstance(value, float)
        if not ((low < value) if above else (low <= value)) or not value <= high:
            bounds = f"above {low:g}" if above else f"at least {low:g}"
            raise ValueError(f"{where} must be {bounds} and at most {high:g} ({unit}), "
                             f"not {_shown(value)}")
    agent = settings.fetch.user_agent
    if not agent.strip() or not agent.isprintable() or len(agent) > 500:
        raise ValueError("fetch.user_agent must be one line of printable text (at most 500 "
                         "characters), "
                         f"not {_shown(agent)}")
    tr = settings.translation
    if tr.engine.strip().lower() not in ENGINES:
        raise ValueError(f"translation.engine must be one of {', '.join(ENGINES)}, "
                         f"not {_shown(tr.engine)}")
    if tr.auto and tr.engine.strip().lower() == "none":
        raise ValueError("translation.auto = true needs a translation.engine other than "
                         "\"none\"")
    if settings.briefing.writer not in WRITERS:
        raise ValueError(f"briefing.writer must be one of {', '.join(WRITERS)}, "
                         f"not {_shown(settings.briefing.writer)}")
    if not tr.target.strip():
        raise ValueError("translation.target must name a language, like \"vi\"")
    # A code (vi, pt-BR, en-US-u-ca-gregory) or a name ("Vietnamese", which the openai
    # engine and the writer are sent as it is): no control characters, one short line.
    if not re.fullmatch(r"[^\W\d_][\w -]{1,39}", tr.target.strip()):
        raise ValueError("translation.target must be a language code like \"vi\" or "
                         f"\"pt-BR\" (or a language's name), not {_shown(tr.target)}")
    for where, url in (("translation.libretranslate.url", tr.libretranslate.url),
                       ("translation.openai.base_url", tr.openai.base_url)):
        if not re.match(r"https?://[^/\s]", url) or not url.isprintable() or " " in url:
            raise ValueError(f"{where} must be an http(s) URL, not {_shown(url)}")
    for i, feed in enumerate(settings.feeds, 1):
        if not feed.url.strip():
            raise ValueError(f"feeds: entry {i} has no url")
    if settings.mark_read not in ("open", "leave"):
        raise ValueError(f"mark_read must be \"open\" or \"leave\", "
                         f"not {_shown(settings.mark_read)}")
    keymap.check(settings.keys)


def _build(cls: type[Any], data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise ValueError(f"[{where or 'top level'}] must be a table")
    hints = get_type_hints(cls)
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown and cls is not ArgosSettings:
        raise ValueError(f"unknown setting {where + '.' if where else ''}{unknown[0]}")
    kwargs: dict[str, Any] = {}
    for name in known & set(data):
        kwargs[name] = _coerce(hints[name], data[name], f"{where}.{name}".lstrip("."))
    return cls(**kwargs)


def _coerce(hint: Any, value: Any, where: str) -> Any:
    if isinstance(hint, type) and is_dataclass(hint):
        return _build(hint, value, where)
    origin = getattr(hint, "__origin__", None)
    if origin is list:
        (item,) = hint.__args__
        if not isinstance(value, list):
            raise ValueError(f"{where} must be a list")
        return [_coerce(item, v, where) for v in value]
    if origin is dict:
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise ValueError(f"{where} must be a table of strings")
        return dict(value)
    if hint is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if hint in (int, str, bool) and type(value) is hint:
        return value
    wanted = _KINDS.get(hint, getattr(hint, "__name__", str(hint)))
    raise ValueError(f"{where} must be {wanted}, not {_shown(value)}")


# What a setting's type is called in the config file's own terms (TOML), not Python's: the
# message was "fetch.workers must be int, not True".
_KINDS: dict[Any, str] = {int: "a whole number", float: "a number", bool: "true or false",
                          str: "a string in quotes"}


def _shown(value: Any) -> str:
    """A value as it is written in TOML, cut to one short line."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= 80 else text[:76] + "...\""
    if isinstance(value, int | float):
        text = str(value)  # Python writes 1e+300, nan and inf as TOML does
        return text if len(text) <= 40 else f"{text[:20]}... ({len(text)} digits)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, datetime.time):
        return f"a time ({value})"
    return f"a date ({value})" if hasattr(value, "isoformat") else type(value).__name__
