"""Engines against real HTTP servers on 127.0.0.1 that speak each engine's protocol.

`FakeLibreTranslate` and `FakeChat` are small implementations of LibreTranslate's POST
/translate and an OpenAI-compatible POST /chat/completions. They "translate" by prefixing
`VI: ` (numbers untouched), count their calls, and have modes for the failures an engine must
turn into one clear EngineError: HTTP errors, malformed JSON, wrong counts, stalls.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from briefing import gazetteer as gz
from briefing.config import Settings
from briefing.translate.engines import (
    NO_ENGINE_MESSAGE,
    EngineError,
    LibreTranslateEngine,
    NoEngine,
    OpenAIEngine,
    batches,
    make_engine,
    parse_numbered,
)


class FakeServer:
    """A ThreadingHTTPServer answering POSTs with `self.answer(path, payload)`."""

    __test__ = False

    def __init__(self) -> None:
        self.mode = "ok"
        self.calls = 0
        self.fail_after: int | None = None  # answer 500 from this call number on
        self.requests: list[tuple[str, dict[str, str], Any]] = []
        self.stop = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                fake.calls += 1
                payload = json.loads(raw)
                fake.requests.append((self.path, dict(self.headers.items()), payload))
                if fake.mode in ("drip", "drip_headers"):
                    _drip(self, fake.stop, headers_too=fake.mode == "drip_headers")
                    return
                if fake.mode == "stall" or self.path == "/stall":
                    fake.stop.wait(30)
                    return
                if fake.fail_after is not None and fake.calls > fake.fail_after:
                    status, body = 500, b'{"error": "internal error"}'
                else:
                    status, body = fake.answer(self.path, payload)
                try:
                    self.send_response(status)
                    if fake.mode == "redirect":
                        self.send_header("Location", "http://elsewhere.example/translate")
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def answer(self, path: str, payload: Any) -> tuple[int, bytes]:
        raise NotImplementedError

    def close(self) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def _drip(h: BaseHTTPRequestHandler, stop: threading.Event, *, headers_too: bool) -> None:
    """A valid reply sent one byte a second (its headers too, with `headers_too`): over a
    minute in all, though no single read ever waits more than a second."""
    body = json.dumps({"translatedText": ["x"] * 3}).encode() + b" " * 60
    head = (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    try:
        if not headers_too:
            h.wfile.write(head)
        for i, byte in enumerate(head + body if headers_too else body):
            h.wfile.write(bytes([byte]))
            h.wfile.flush()
            if stop.wait(1.0) or i > 200:
                return
    except (BrokenPipeError, ConnectionResetError):
        pass


def fake_translate(text: str) -> str:
    """A "translation": "VI: " and the text with its plain words marked ("rose" -> "roseơ"),
    so that no sentence of the original comes back word for word, as none does from a real
    engine (the service refuses or flags English sent back: service._refuse_untranslated).
    Names (capitalised) and every word a figure is read with (units, scales, months,
    weekdays, number words) stay, so the numbers check reads the same figures."""
    return "VI: " + _WORD.sub(_mark, text)


_WORD = re.compile(r"\b[a-z]{2,}\b")
_FIGURE_WORDS = frozenset(w.lower() for table in (
    gz.MULTIPLIERS, gz.DURATION_UNITS, gz.MEASURE_UNITS, gz.TIME_UNITS, gz.CURRENCY_SUFFIX,
    gz.EN_NUMBER_WORDS, gz.EN_ORDINALS, gz.SCALE_WORDS, gz.MONTHS_EN, gz.WEEKDAYS,
    gz.NUMBER_WORDS, gz.QUANTITY_WORDS, gz.APPROX_BEFORE) for w in table) | {
    "per", "cent", "percent", "percentage", "point", "points", "pc", "dollars", "dollar",
    "euros", "euro", "pounds", "yen", "half", "third", "thirds", "quarter", "quarters",
    "dozen", "hundreds", "thousands", "millions", "billions", "a", "an", "of", "and", "to",
    "or", "from", "between", "am", "pm", "square", "cubic", "degrees", "over", "under"}


def _mark(m: re.Match[str]) -> str:
    word = m.group(0)
    return word if word in _FIGURE_WORDS else word + "ơ"


class FakeLibreTranslate(FakeServer):
    """POST /translate: `q` a list -> `translatedText` a list of the same length."""

    api_key: str | None = None  # when set, a request without it gets 403 like the real one

    def answer(self, path: str, payload: Any) -> tuple[int, bytes]:
        if path != "/translate":
            return 404, b'{"error": "Not Found"}'
        if self.api_key and payload.get("api_key") != self.api_key:
            return 403, json.dumps({"error": "Visit the portal to get an API key"}).encode()
        if self.mode == "500":
            return 500, b"<html>oops</html>"
        if self.mode == "redirect":
            return 307, b""
        if self.mode == "badjson":
            return 200, b'{"translatedText": ["unterminated'
        if self.mode == "deepjson":  # json.loads raised RecursionError, a traceback
            return 200, b"[" * 100_000 + b"]" * 100_000
        if self.mode == "deep500":
            return 500, b"[" * 100_000 + b"]" * 100_000
        q = payload["q"]
        out = [fake_translate(t) for t in q] if isinstance(q, list) else fake_translate(q)
        if self.mode == "short":
            out = out[:-1]
        if self.mode == "echo":  # what LibreTranslate answers for a pair it lacks
            out = q
        if self.mode == "prefix":  # a chatty model: a label, then the English it was sent
            out = [f"Bản dịch: {t}" for t in q]
        if self.mode == "half":  # each text's first sentence translated, the rest left
            out = [fake_translate(t.split(". ", 1)[0]) + (". " + t.split(". ", 1)[1]
                                                          if ". " in t else "") for t in q]
        if self.mode == "figures":  # every digit one up: $12bn -> $23bn, like a bad model
            out = [re.sub(r"\d", lambda m: str((int(m.group()) + 1) % 10), t) for t in out]
        if self.mode == "escape":
            out = [f"\x1b]0;pwned\x07{t}\x1b[2J\x9b31m" for t in out]
        return 200, json.dumps({"translatedText": out}).encode()


_MARK = re.compile(r"\[\[(\d+)\]\]\s*")


class FakeChat(FakeServer):
    """POST /chat/completions: translates the numbered paragraphs of the user message."""

    def answer(self, path: str, payload: Any) -> tuple[int, bytes]:
        if path != "/v1/chat/completions":
            return 404, b'{"error": {"message": "not found"}}'
        if self.mode == "500":
            return 500, b'{"error": {"message": "model overloaded"}}'
        if self.mode == "badjson":
            return 200, b"not json at all"
        if self.mode == "deepjson":
            return 200, b"[" * 100_000 + b"]" * 100_000
        if self.mode == "nochoices":
            return 200, b'{"choices": []}'
        user = payload["messages"][-1]["content"]
        parts = [p.strip() for p in _MARK.split(user)[2::2]]
        if self.mode == "wrongcount":
            parts = parts[:-1]
        content = "\n\n".join(f"[[{i}]] {fake_translate(p)}" for i, p in enumerate(parts, 1))
        if self.mode == "chatty":
            content = "<think>They want Vietnamese.</think>Here is the translation:\n" + content
        reply = {"id": "x", "object": "chat.completion", "model": payload["model"],
                 "choices": [{"index": 0, "finish_reason": "stop",
                              "message": {"role": "assistant", "content": content}}]}
        return 200, json.dumps(reply).encode()


@pytest.fixture
def libre() -> Iterator[FakeLibreTranslate]:
    server = FakeLibreTranslate()
    yield server
    server.close()


@pytest.fixture
def chat() -> Iterator[FakeChat]:
    server = FakeChat()
    yield server
    server.close()


def closed_port_url() -> str:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"


TEXTS = ["ByteDance plans to spend $12bn.", "About 60 per cent go to Huawei.", "Third."]


# -- LibreTranslate ---------------------------------------------------------------------------

def test_libretranslate_sends_the_documented_request(libre: FakeLibreTranslate) -> None:
    engine = LibreTranslateEngine(libre.url, "", timeout=5)
    assert engine.translate(TEXTS, "en", "vi") == [fake_translate(t) for t in TEXTS]
    path, _headers, payload = libre.requests[0]
    assert path == "/translate"
    assert payload == {"q": TEXTS, "source": "en", "target": "vi", "format": "text"}


def test_libretranslate_sends_the_api_key(libre: FakeLibreTranslate) -> None:
    libre.api_key = "secret"
    with pytest.raises(EngineError, match="HTTP 403: Visit the portal"):
        LibreTranslateEngine(libre.url, "", timeout=5).translate(TEXTS, "en", "vi")
    out = LibreTranslateEngine(libre.url + "/", "secret", timeout=5).translate(TEXTS, "en", "vi")
    assert out[0] == fake_translate(TEXTS[0])
    assert libre.requests[-1][2]["api_key"] == "secret"


def test_libretranslate_batches_long_articles(libre: FakeLibreTranslate) -> None:
    texts = [f"Paragraph {i} has {i} chips." for i in range(40)]
    out = LibreTranslateEngine(libre.url, "", timeout=5).translate(texts, "en", "vi")
    assert out == [fake_translate(t) for t in texts]
    assert libre.calls == 3  # 16 + 16 + 8
    assert [len(r[2]["q"]) for r in libre.requests] == [16, 16, 8]


def test_batches_respect_the_character_budget() -> None:
    texts = ["x" * 1500] * 5 + ["y" * 9000, "z"]
    assert list(batches(texts)) == [[0, 1], [2, 3], [4], [5], [6]]
    assert list(batches([])) == []


@pytest.mark.parametrize(("mode", "message"), [
    ("500", r"libretranslate at http://127\.0\.0\.1:\d+/translate: HTTP 500$"),
    ("badjson", r"libretranslate at http://127\.0\.0\.1:\d+/translate: malformed reply"),
    ("deepjson", r"libretranslate at http://127\.0\.0\.1:\d+/translate: malformed reply"),
    ("deep500", r"libretranslate at http://127\.0\.0\.1:\d+/translate: HTTP 500$"),
    ("short", r"engine returned 2 paragraphs for 3"),
    ("redirect", r"HTTP 307 redirect to http://elsewhere\.example/translate; set the engine"),
])
def test_libretranslate_failures_are_one_clear_line(libre: FakeLibreTranslate, mode: str,
                                                    message: str) -> None:
    libre.mode = mode
    with pytest.raises(EngineError, match=message) as info:
        LibreTranslateEngine(libre.url, "", timeout=5).translate(TEXTS, "en", "vi")
    assert "\n" not in str(info.value)
    assert not info.value.fatal


def test_libretranslate_timeout(libre: FakeLibreTranslate) -> None:
    libre.mode = "stall"
    with pytest.raises(EngineError, match=r"libretranslate at .*/translate: timed out after 0.5s"
                       ) as info:
        LibreTranslateEngine(libre.url, "", timeout=0.5).translate(TEXTS, "en", "vi")
    assert info.value.fatal


@pytest.mark.parametrize("mode", ["drip", "drip_headers"])
def test_timeout_is_a_deadline_for_the_whole_reply(libre: FakeLibreTranslate, mode: str) -> None:
    # httpx's timeouts are per read, and a byte a second never trips a 2 s read timeout: the
    # whole reply would take over a minute. The bound is loose for a loaded machine, and still
    # far below the drip.
    libre.mode = mode
    start = time.monotonic()
    with pytest.raises(EngineError, match=r"libretranslate at .*/translate: timed out after 2s$"
                       ) as info:
        LibreTranslateEngine(libre.url, "", timeout=2).translate(TEXTS, "en", "vi")
    assert time.monotonic() - start < 20
    assert info.value.fatal


def test_an_engine_called_from_a_coroutine_still_works(libre: FakeLibreTranslate) -> None:
    async def inside_a_loop() -> list[str]:
        return LibreTranslateEngine(libre.url, "", timeout=5).translate(TEXTS, "en", "vi")

    assert asyncio.run(inside_a_loop()) == [fake_translate(t) for t in TEXTS]


def test_libretranslate_unreachable() -> None:
    url = closed_port_url()
    with pytest.raises(EngineError, match=f"libretranslate at {url}/translate: cannot connect"
                       ) as info:
        LibreTranslateEngine(url, "", timeout=2).translate(TEXTS, "en", "vi")
    assert info.value.fatal


def test_engine_refuses_a_non_http_url() -> None:
    with pytest.raises(EngineError, match="not an http"):
        LibreTranslateEngine("file:///etc/passwd", "", timeout=1)


# -- OpenAI-compatible chat ------------------------------------------------------------------

def test_openai_numbered_paragraphs_round_trip(chat: FakeChat) -> None:
    engine = OpenAIEngine(chat.url + "/v1", "qwen2.5:7b-instruct", None, timeout=5)
    assert engine.translate(TEXTS, "en", "vi") == [fake_translate(t) for t in TEXTS]
    path, headers, payload = chat.requests[0]
    assert path == "/v1/chat/completions"
    assert "authorization" not in {k.lower() for k in headers}
    assert payload["model"] == "qwen2.5:7b-instruct"
    system = payload["messages"][0]["content"]
    assert "from English to Vietnamese" in system
    assert "exactly 3 paragraphs" in system and "[[1]]" in system and "number" in system
    assert payload["messages"][1]["content"].startswith("[[1]] ByteDance")


def test_openai_key_comes_from_the_named_env_var(chat: FakeChat,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings()
    settings.translation.engine = "openai"
    settings.translation.openai.base_url = chat.url + "/v1"
    settings.translation.openai.api_key_env = "BRIEFING_TEST_KEY"
    monkeypatch.setenv("BRIEFING_TEST_KEY", "sk-test")
    engine = make_engine(settings)
    assert isinstance(engine, OpenAIEngine)
    engine.translate(TEXTS[:1], "en", "vi")
    assert chat.requests[0][1]["Authorization"] == "Bearer sk-test"


def test_openai_batches_eight_paragraphs_a_call(chat: FakeChat) -> None:
    texts = [f"Paragraph {i}." for i in range(20)]
    out = OpenAIEngine(chat.url + "/v1", "m", None, timeout=5).translate(texts, "en", "vi")
    assert out == [fake_translate(t) for t in texts]
    assert chat.calls == 3


def test_openai_tolerates_a_preamble_and_thinking(chat: FakeChat) -> None:
    chat.mode = "chatty"
    out = OpenAIEngine(chat.url + "/v1", "m", None, timeout=5).translate(TEXTS, "en", "vi")
    assert out == [fake_translate(t) for t in TEXTS]


@pytest.mark.parametrize(("mode", "message"), [
    ("wrongcount", r"openai \(m\) at .*/v1/chat/completions: engine returned 2 paragraphs for 3"),
    ("badjson", r"malformed reply \(not JSON\)"),
    ("deepjson", r"malformed reply \(not JSON\)"),
    ("nochoices", r"malformed reply \(no choices"),
    ("500", r"HTTP 500: model overloaded"),
])
def test_openai_failures(chat: FakeChat, mode: str, message: str) -> None:
    chat.mode = mode
    with pytest.raises(EngineError, match=message):
        OpenAIEngine(chat.url + "/v1", "m", None, timeout=5).translate(TEXTS, "en", "vi")


def test_openai_stall_times_out(chat: FakeChat) -> None:
    chat.mode = "stall"
    with pytest.raises(EngineError, match=r"timed out after 0.5s"):
        OpenAIEngine(chat.url + "/v1", "m", None, timeout=0.5).translate(TEXTS, "en", "vi")


def test_parse_numbered() -> None:
    assert parse_numbered("[[1]] một\n\n[[2]] hai", 2) == ["một", "hai"]
    assert parse_numbered("Sure!\n[[1]]một [[2]]hai\nba", 2) == ["một", "hai\nba"]
    assert parse_numbered("chỉ một đoạn", 1) == ["chỉ một đoạn"]
    with pytest.raises(EngineError, match="engine returned 3 paragraphs for 4"):
        parse_numbered("[[1]] a [[2]] b [[3]] c", 4)
    with pytest.raises(EngineError, match="numbered its paragraphs"):
        parse_numbered("[[1]] a [[1]] b", 2)
    with pytest.raises(EngineError, match="0 numbered paragraphs for 2"):
        parse_numbered("a\n\nb", 2)
    with pytest.raises(EngineError, match="empty paragraph"):
        parse_numbered("[[1]] a [[2]]", 2)


# -- no engine, make_engine ------------------------------------------------------------------

def test_no_engine_explains_how_to_configure_one() -> None:
    with pytest.raises(EngineError) as info:
        NoEngine().translate(TEXTS, "en", "vi")
    assert str(info.value) == NO_ENGINE_MESSAGE
    assert 'engine = "libretranslate"' in NO_ENGINE_MESSAGE and "briefing locate" in str(
        info.value)
    assert info.value.fatal


def test_make_engine() -> None:
    settings = Settings()
    assert isinstance(make_engine(settings), NoEngine)  # the default is "none"
    settings.translation.engine = "libretranslate"
    settings.translation.timeout = 7
    engine = make_engine(settings)
    assert isinstance(engine, LibreTranslateEngine) and engine.timeout == 7
    assert engine.url == "http://127.0.0.1:5000"
    assert isinstance(make_engine(settings, "none"), NoEngine)
    with pytest.raises(EngineError, match="unknown translation engine 'deepl'"):
        make_engine(settings, "deepl")
