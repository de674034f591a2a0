"""Translation engines: one protocol, three HTTP-free-to-the-caller implementations.

An engine takes a batch of paragraphs and returns the same number of translated paragraphs, or
raises `EngineError` with one line naming the engine, its URL and the reason. Their requests
go through `sources/http.py` like every other (`post_json`: one deadline from connect to the
last byte, a capped reply, the address rules with the engine's own host allowed).
Replies are untrusted: the service sanitises them before anything is stored.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import Coroutine, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from briefing.config import ENGINES  # one list for the config check and --engine
from briefing.sources.http import FetchError, NoAnswer, post_json
from briefing.text import one_line
from briefing.translate.errors import EngineError

if TYPE_CHECKING:
    from briefing.config import Settings

_T = TypeVar("_T")
# A batch small enough for one request: LibreTranslate's default char limit is 5,000 per request
# on public instances, and a local LLM keeps paragraph markers straight more reliably on a few
# paragraphs than on a whole article.
BATCH_ITEMS = 16
BATCH_CHARS = 4_000
MAX_REPLY_BYTES = 10_000_000  # a reply bigger than this is refused, like an oversized feed

NO_ENGINE_MESSAGE = (
    "no translation engine is configured: set [translation] engine = \"libretranslate\" "
    "(with [translation.libretranslate] url) or engine = \"openai\" (with "
    "[translation.openai] base_url and model) in the config file shown by `briefing locate`"
)


class Engine(Protocol):
    name: str
    model: str

    def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        """Translate a batch of paragraphs; the result has exactly one string per input."""
        ...


def batches(texts: Sequence[str], max_items: int = BATCH_ITEMS,
            max_chars: int = BATCH_CHARS) -> Iterator[list[int]]:
    """Indexes of `texts` grouped into batches of at most `max_items` paragraphs and about
    `max_chars` characters (a single longer paragraph goes alone rather than being split)."""
    batch: list[int] = []
    size = 0
    for i, text in enumerate(texts):
        if batch and (len(batch) >= max_items or size + len(text) > max_chars):
            yield batch
            batch, size = [], 0
        batch.append(i)
        size += len(text)
    if batch:
        yield batch


class _HTTPEngine:
    """Shared request/response handling: every failure becomes an EngineError naming `where`."""

    name = "http"
    model = ""

    def __init__(self, url: str, timeout: float) -> None:
        if not re.match(r"https?://", url):
            raise EngineError(f"{self.name}: {url!r} is not an http(s) URL", fatal=True)
        self.url = url.rstrip("/")
        self.timeout = timeout

    def _post(self, path: str, payload: dict[str, Any],
              headers: dict[str, str] | None = None) -> Any:
        url = f"{self.url}{path}"
        where = f"{self.name} at {url}"
        try:
            reply = run_blocking(post_json(url, payload, headers=headers, timeout=self.timeout,
                                   max_bytes=MAX_REPLY_BYTES))
        except NoAnswer as exc:
            raise EngineError(f"{where}: {exc}", fatal=True) from exc
        except FetchError as exc:
            raise EngineError(f"{where}: {exc}") from exc
        if reply.status >= 400:
            raise EngineError(f"{where}: HTTP {reply.status}{error_detail(reply.body)}")
        if reply.status >= 300:  # not followed: a POST body must not wander elsewhere
            target = one_line(reply.headers.get("location", "?"), 200)
            raise EngineError(f"{where}: HTTP {reply.status} redirect to {target}; "
                              "set the engine URL to that address")
        try:
            return json.loads(reply.body)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise EngineError(f"{where}: malformed reply (not JSON)") from exc


def run_blocking(coro: Coroutine[Any, Any, _T]) -> _T:
    """Run `coro` to the end from blocking code (the CLI, a TUI worker thread). Called from a
    coroutine, it gets a loop of its own in a helper thread rather than failing."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def error_detail(body: bytes) -> str:
    """The server's own reason, when it gave one: LibreTranslate and OpenAI both send JSON
    `{"error": ...}` (a string, or an object with a message)."""
    try:
        err = json.loads(body).get("error")
    except (ValueError, UnicodeDecodeError, AttributeError, RecursionError):
        return ""
    if isinstance(err, dict):
        err = err.get("message")
    return f": {one_line(err, 200)}" if isinstance(err, str) and err.strip() else ""


class LibreTranslateEngine(_HTTPEngine):
    """LibreTranslate's POST /translate; a list `q` gets a list `translatedText` back."""

    name = "libretranslate"

    def __init__(self, url: str, api_key: str = "", timeout: float = 120.0) -> None:
        super().__init__(url, timeout)
        self.api_key = api_key

    def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        out: list[str] = []
        for idx in batches(texts):
            out.extend(self._call([texts[i] for i in idx], source, target))
        return out

    def _call(self, texts: list[str], source: str, target: str) -> list[str]:
        payload: dict[str, Any] = {"q": texts, "source": source, "target": target,
                                   "format": "text"}
        if self.api_key:
            payload["api_key"] = self.api_key
        reply = self._post("/translate", payload)
        got = reply.get("translatedText") if isinstance(reply, dict) else None
        if isinstance(got, str) and len(texts) == 1:
            got = [got]
        where = f"{self.name} at {self.url}/translate"
        if not isinstance(got, list) or not all(isinstance(t, str) for t in got):
            raise EngineError(f"{where}: malformed reply (no list of translatedText)")
        if len(got) != len(texts):
            raise EngineError(f"{where}: engine returned {len(got)} paragraphs for {len(texts)}")
        return got


SYSTEM_PROMPT = (
    "You are a professional news translator. Translate the user's text from {source} to "
    "{target}. The text has {n} paragraphs, each starting with its marker [[1]], [[2]] and so "
    "on. Keep the paragraph boundaries: reply with exactly {n} paragraphs, each starting with "
    "the same marker as its original, in the same order, and nothing else: no notes, no "
    "comments. Keep every number, amount, percentage, date, name and figure exactly as in the "
    "original, written the way {target} writes numbers."
)
_MARKER = re.compile(r"\[\[\s*(\d+)\s*\]\]")
# Reasoning models (Qwen3, DeepSeek-R1 via Ollama) may put their thinking before the answer.
_THINK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)


class OpenAIEngine(_HTTPEngine):
    """Any OpenAI-compatible chat server: Ollama, llama.cpp server, vLLM, or the real thing."""

    name = "openai"
    batch_items = 8  # fewer paragraphs per call: small local models lose count on long lists

    def __init__(self, base_url: str, model: str, api_key: str | None = None,
                 timeout: float = 120.0) -> None:
        super().__init__(base_url, timeout)
        self.model = model
        self.api_key = api_key

    def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        out: list[str] = []
        for idx in batches(texts, max_items=self.batch_items):
            out.extend(self._call([texts[i] for i in idx], source, target))
        return out

    def _call(self, texts: list[str], source: str, target: str) -> list[str]:
        n = len(texts)
        src = "the source language" if source in ("", "auto") else language_name(source)
        system = SYSTEM_PROMPT.format(source=src, target=language_name(target), n=n)
        user = "\n\n".join(f"[[{i}]] {t}" for i, t in enumerate(texts, 1))
        payload = {"model": self.model, "temperature": 0, "stream": False,
                   "messages": [{"role": "system", "content": system},
                                {"role": "user", "content": user}]}
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else None
        reply = self._post("/chat/completions", payload, headers)
        where = f"{self.name} ({self.model}) at {self.url}/chat/completions"
        try:
            content = reply["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError) as exc:
            raise EngineError(f"{where}: malformed reply (no choices[0].message.content)") from exc
        if not isinstance(content, str):
            raise EngineError(f"{where}: malformed reply (content is not text)")
        try:
            return parse_numbered(content, n)
        except EngineError as exc:
            raise EngineError(f"{where}: {exc}") from exc


def parse_numbered(content: str, n: int) -> list[str]:
    """Split a `[[1]] ... [[2]] ...` reply into exactly `n` paragraphs, or raise EngineError.

    Text before the first marker (a chatty "Here is the translation:") is dropped. A one-
    paragraph batch answered without its marker is accepted as is: that is still one paragraph.
    """
    content = _THINK.sub("", content).strip()
    marks = list(_MARKER.finditer(content))
    if not marks:
        if n == 1 and content:
            return [content]
        raise EngineError(f"engine returned 0 numbered paragraphs for {n}")
    numbers = [int(m.group(1)) for m in marks]
    if len(marks) != n:
        raise EngineError(f"engine returned {len(marks)} paragraphs for {n}")
    if numbers != list(range(1, n + 1)):
        raise EngineError(f"engine numbered its paragraphs {numbers[:8]}, expected 1..{n}")
    ends = [m.start() for m in marks[1:]] + [len(content)]
    parts = [content[m.end():end].strip() for m, end in zip(marks, ends, strict=True)]
    if any(not p for p in parts):
        raise EngineError(f"engine returned an empty paragraph among {n}")
    return parts


_NAMES = {"en": "English", "vi": "Vietnamese", "zh": "Chinese", "fr": "French", "de": "German",
          "es": "Spanish", "ja": "Japanese", "ko": "Korean", "ru": "Russian", "pt": "Portuguese",
          "it": "Italian", "th": "Thai", "id": "Indonesian"}


def language_name(code: str) -> str:
    """An LLM follows "Vietnamese" more reliably than "vi"."""
    return _NAMES.get(code.lower(), code)


class NoEngine:
    """What `engine = "none"` gives: every call explains how to configure a real engine."""

    name = "none"
    model = ""

    def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        raise EngineError(NO_ENGINE_MESSAGE, fatal=True)


def make_engine(settings: Settings, name: str | None = None) -> Engine:
    """The engine named by `name`, or by `[translation] engine` in the settings."""
    tr = settings.translation
    choice = (name or tr.engine or "none").strip().lower()
    if choice == "libretranslate":
        return LibreTranslateEngine(tr.libretranslate.url, tr.libretranslate.api_key, tr.timeout)
    if choice == "openai":
        env = tr.openai.api_key_env
        key = os.environ.get(env) if env else None
        return OpenAIEngine(tr.openai.base_url, tr.openai.model, key or None, tr.timeout)
    if choice == "argos":
        from briefing.translate.argos import ArgosEngine

        return ArgosEngine()
    if choice == "apertium":
        from briefing.translate.apertium import ApertiumEngine

        return ApertiumEngine(tr.timeout)
    if choice == "bergamot":
        from briefing.translate.bergamot import BergamotEngine

        return BergamotEngine()
    if choice == "none":
        return NoEngine()
    raise EngineError(f"unknown translation engine {choice!r}: use {', '.join(ENGINES)}",
                      fatal=True)


def installed_engines(target: str) -> list[tuple[str, list[str]]]:
    """Offline engines installed on this machine that translate into `target`, with their
    source languages: [("apertium", ["en"]), ...]. Nothing to configure for these, so when no
    engine is set the CLI names them and the TUI offers them. Costs one `apertium -l`."""
    from briefing.translate import apertium, bergamot

    tgt = target.lower()[:2]
    found: list[tuple[str, list[str]]] = []
    sources = [a for a, b in apertium.pairs(apertium.list_modes()) if b == tgt]
    if sources:
        found.append(("apertium", sources))
    sources = [a for a, b in bergamot.PAIRS if b == tgt]
    if sources and bergamot.installed():
        found.append(("bergamot", sources))
    return found


def no_engine_message(target: str, *, option: bool = True) -> str:
    """NO_ENGINE_MESSAGE, naming an installed engine for `target` when there is one (and,
    with `option`, the --engine option of the command that has one)."""
    found = installed_engines(target)
    if not found:
        return NO_ENGINE_MESSAGE
    name, sources = found[0]
    pairs = ", ".join(f"{s}→{target}" for s in sources)
    return (f"no translation engine is configured; {name} is installed and translates "
            f"{pairs}: set [translation] engine = \"{name}\" in the config file shown by "
            f"`briefing locate`" + (f" (or pass --engine {name})" if option else ""))
