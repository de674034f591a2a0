"""The `llm` writer: key-fact bullets and a 📌 summary written by an OpenAI-compatible chat
server (Ollama, llama.cpp server, vLLM, a hosted API) from the cleaned original.

The model gets the title and whole paragraphs up to `writer_max_chars` (a first paragraph
longer than that is cut at a word; the prompt says what was left out) and is asked for JSON
`{"bullets": [...], "summary": "..."}`, with `response_format` carrying a JSON schema. Servers
that do not know `response_format` answer 400 or 422: the request is then sent once more
without it. The reply is untrusted: plain JSON, or JSON in a ```json fence, of exactly that
shape and within the limits below, or a WriterError naming the server and the reason. The
request goes through `sources/http.py` (`post_json`: one deadline from connect to last byte,
a capped body, the address rules with the user's own host allowed).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from briefing.errors import BriefingError
from briefing.models import Article
from briefing.sources.http import FetchError, NoAnswer, Reply, post_json
from briefing.text import normalize_paragraph, one_line, sanitize

# The same helpers the translation engines use: a loop for blocking callers, the server's own
# error text, and "Vietnamese" for "vi" (a model follows a language's name more reliably).
from briefing.translate.engines import error_detail, language_name, run_blocking

# A limit against a runaway reply, not a style: the user's own posts (seed 004) have 12.
MAX_BULLETS = 16
MAX_BULLET_CHARS = 400
MAX_SUMMARY_CHARS = 1_500
MAX_REPLY_BYTES = 2_000_000
# 401/403/404/408/429 are about the key, the URL or the load, not the request's shape: asking
# again without response_format would fail the same way.
_NOT_ABOUT_FORMAT = frozenset({401, 403, 404, 405, 408, 413, 429})

# The subset every server with strict schemas takes: all fields required, no extra ones, no
# length or count limits (OpenAI's strict mode refuses maxLength and maxItems with a 400).
# The limits above are checked on the reply instead.
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "bullets": {"type": "array", "items": {"type": "string"}},
        "summary": {"type": "string"},
    },
    "required": ["bullets", "summary"],
    "additionalProperties": False,
}

SYSTEM_PROMPT = (
    "You write news briefings in {lang}. From the news article the user gives (its title and "
    "paragraphs), write its key facts as bullets (one sentence each, at most 300 "
    "characters, at most 12 bullets: every figure, name and decision that matters) and a "
    "summary of one or two sentences, all in {lang}. Use only facts the article states. "
    "Keep every number, amount, percentage and date as the article gives it (written the "
    "way {lang} writes numbers) and every name of a person or organisation exactly as the "
    "article spells it. Reply with JSON only, in this shape: "
    '{{"bullets": ["..."], "summary": "..."}}'
)
_THINK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"```[ \t]*(?:json)?[ \t]*\n(.*?)\n?[ \t]*```", re.DOTALL | re.IGNORECASE)


class WriterError(BriefingError):
    """The writer failed; one line naming the server and the reason. `fatal` as for
    EngineError: the server is unreachable or too slow, so the other articles would fail
    the same way."""

    def __init__(self, message: str, *, fatal: bool = False) -> None:
        super().__init__(message)
        self.fatal = fatal


@dataclass(frozen=True)
class Draft:
    bullets: tuple[str, ...]
    summary: str


def article_input(art: Article, max_chars: int) -> tuple[str, int, int]:
    """(text for the model, paragraphs sent, paragraphs in all): the title, then whole
    paragraphs while they fit in `max_chars`."""
    paragraphs = [p.text for p in art.paragraphs if p.text.strip()
                  and not (p.kind == "title" and p.text.strip() == art.title.strip())]
    head = f"Title: {one_line(art.title, 1000)}"
    budget = max(0, max_chars - len(head))
    kept: list[str] = []
    used = 0
    for text in paragraphs:
        if used + len(text) + 2 > budget:
            if not kept:  # one paragraph longer than the whole budget: its start, at a word
                kept.append(text[:budget].rsplit(" ", 1)[0] + " …")
            break
        kept.append(text)
        used += len(text) + 2
    return "\n\n".join([head, *kept]), len(kept), len(paragraphs)


def user_message(art: Article, max_chars: int) -> str:
    text, sent, total = article_input(art, max_chars)
    if sent < total or text.endswith(" …"):
        text += (f"\n\n[The article is longer: {total - sent} of its {total} paragraphs (and "
                 "any cut text marked …) are left out. Write only from the text above.]")
    return text


def parse_reply(content: str) -> Draft:
    """The draft in a reply's text, or WriterError saying what is wrong with it."""
    text = _THINK.sub("", content).strip()
    fenced = _FENCE.search(text)
    if not text.startswith("{") and fenced is not None:
        text = fenced.group(1).strip()
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise WriterError(f"the reply is not the JSON asked for: {one_line(text, 80)!r}"
                          ) from None
    if not isinstance(data, dict):
        raise WriterError(f"the reply is JSON {type(data).__name__}, not an object with "
                          "bullets and summary")
    bullets, summary = data.get("bullets"), data.get("summary")
    if not isinstance(bullets, list):
        raise WriterError("the reply has no list of bullets")
    if not isinstance(summary, str):
        raise WriterError("the reply's summary is missing or not text")
    if not bullets:
        raise WriterError("the reply has no bullets")
    if len(bullets) > MAX_BULLETS:
        raise WriterError(f"the reply has {len(bullets)} bullets, more than {MAX_BULLETS}")
    out = []
    for i, bullet in enumerate(bullets, 1):
        if not isinstance(bullet, str):
            raise WriterError(f"bullet {i} is {type(bullet).__name__}, not text")
        clean = _clean(bullet)
        if not clean:
            raise WriterError(f"bullet {i} is empty")
        if len(clean) > MAX_BULLET_CHARS:
            raise WriterError(f"bullet {i} is {len(clean)} characters, more than "
                              f"{MAX_BULLET_CHARS}")
        out.append(clean)
    summary = _clean(summary)
    if not summary:
        raise WriterError("the reply's summary is empty")
    if len(summary) > MAX_SUMMARY_CHARS:
        raise WriterError(f"the summary is {len(summary)} characters, more than "
                          f"{MAX_SUMMARY_CHARS}")
    return Draft(tuple(out), summary)


def _clean(text: str) -> str:
    """One line of plain text: a model's bullet may come with its own "- " or "• "."""
    text = normalize_paragraph(sanitize(text, keep_newlines=False)).strip()
    return re.sub(r"^(?:[-*•]\s+)", "", text).strip()


class LLMWriter:
    name = "llm"

    def __init__(self, base_url: str, model: str, api_key: str | None = None,
                 timeout: float = 180.0, max_chars: int = 12_000) -> None:
        if not re.match(r"https?://", base_url):
            raise WriterError(f"writer: {base_url!r} is not an http(s) URL", fatal=True)
        self.url = f"{base_url.rstrip('/')}/chat/completions"
        self.model = model
        self.api_key = api_key
        self.timeout = timeout
        self.max_chars = max_chars

    @property
    def where(self) -> str:
        return f"writer ({self.model}) at {self.url}"

    def write(self, art: Article, lang: str) -> Draft:
        """Bullets and summary for `art` in `lang`, or WriterError naming the server."""
        payload: dict[str, Any] = {
            "model": self.model, "temperature": 0, "stream": False,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT.format(lang=language_name(lang))},
                {"role": "user", "content": user_message(art, self.max_chars)}],
            "response_format": {"type": "json_schema", "json_schema": {
                "name": "briefing_digest", "strict": True, "schema": SCHEMA}},
        }
        reply = self._post(payload)
        if 400 <= reply.status < 500 and reply.status not in _NOT_ABOUT_FORMAT:
            del payload["response_format"]  # an older server: ask for plain JSON instead
            reply = self._post(payload)
        if reply.status >= 300:
            detail = error_detail(reply.body) if reply.status >= 400 else \
                " (redirects are not followed; set base_url to the new address)"
            raise WriterError(f"{self.where}: HTTP {reply.status}{detail}")
        try:
            return parse_reply(_content(reply.body))
        except WriterError as exc:
            raise WriterError(f"{self.where}: {exc}") from None

    def _post(self, payload: dict[str, Any]) -> Reply:
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else None
        try:
            return run_blocking(post_json(self.url, payload, headers=headers, timeout=self.timeout,
                                  max_bytes=MAX_REPLY_BYTES))
        except NoAnswer as exc:
            raise WriterError(f"{self.where}: {exc}", fatal=True) from None
        except FetchError as exc:
            raise WriterError(f"{self.where}: {exc}") from None


def _content(body: bytes) -> str:
    try:
        reply = json.loads(body)
        content = reply["choices"][0]["message"]["content"]
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise WriterError("malformed reply (not JSON)") from None
    except (KeyError, IndexError, TypeError):
        raise WriterError("malformed reply (no choices[0].message.content)") from None
    if not isinstance(content, str):
        raise WriterError("malformed reply (content is not text)")
    return content


__all__ = ["Draft", "LLMWriter", "WriterError", "parse_reply"]
