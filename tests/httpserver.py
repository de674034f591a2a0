"""A real HTTP server on 127.0.0.1 for tests: canned bodies, validators, faults on demand.

Each route is a `Route`; the server is a ThreadingHTTPServer in a daemon thread, so slow and
stalled routes never block the others.
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None  # answer 304 when If-None-Match matches
    delay: float = 0.0  # seconds before answering
    drip: float = 0.0  # seconds between bytes of the body
    stall: bool = False  # accept, then never answer
    gzip: bool = False
    raw_gzip: bytes | None = None  # pre-compressed body (for bombs)
    handler: Callable[[BaseHTTPRequestHandler], None] | None = None
    omit_content_type: bool = False  # send no Content-Type header at all
    # Body produced chunk by chunk with no Content-Length (the connection closes at the end),
    # so a client cannot refuse it up front and must count what it reads.
    stream: Callable[[], Iterator[bytes]] | None = None


def held_feed(body: bytes, asked: threading.Event, answer: threading.Event,
              timeout: float) -> Route:
    """A feed answered only once `answer` is set (or `timeout` seconds have passed); `asked`
    is set when its request comes: a test then knows the run is waiting on it."""

    def held(h: BaseHTTPRequestHandler) -> None:
        asked.set()
        answer.wait(timeout)
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    return Route(handler=held)


class _Server(ThreadingHTTPServer):
    # socketserver's default listen backlog is 5: a fetch of 50 feeds over 16 connections,
    # with this server's accepting thread starved of CPU on a loaded machine, overflowed it,
    # and a connection the kernel had dropped came back to the client as a read error.
    request_queue_size = 128
    daemon_threads = True


class TestServer:
    __test__ = False  # not a test class, despite the name

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: dict[str, int] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.connections = 0  # accepted so far: what keep-alive saves shows here
        self._lock = threading.Lock()
        self._stop = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                with server._lock:
                    server.connections += 1

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server._serve(self)

        self.httpd = _Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, route: Route | bytes | str) -> str:
        if isinstance(route, str):
            route = route.encode()
        if isinstance(route, bytes):
            route = Route(route)
        self.routes[path] = route
        return self.url(path)

    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        path = h.path
        self.hits[path] = self.hits.get(path, 0) + 1
        self.requests.append((path, dict(h.headers.items())))
        route = self.routes.get(path)
        if route is None:
            self._send(h, 404, {}, b"not found")
            return
        if route.handler is not None:
            route.handler(h)
            return
        if route.stall:
            self._stop.wait(60)
            return
        if route.delay:
            self._stop.wait(route.delay)
        if route.etag and h.headers.get("If-None-Match") == route.etag:
            self._send(h, 304, {"ETag": route.etag}, b"")
            return
        headers = dict(route.headers)
        if route.etag:
            headers["ETag"] = route.etag
        body = route.body
        if route.raw_gzip is not None:
            body = route.raw_gzip
            headers["Content-Encoding"] = "gzip"
        elif route.gzip:
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        if route.stream is not None:
            self._send_stream(h, route, headers)
            return
        self._send(h, route.status, headers, body, drip=route.drip,
                   content_type=not route.omit_content_type)

    def _send(self, h: BaseHTTPRequestHandler, status: int, headers: dict[str, str], body: bytes,
              drip: float = 0.0, content_type: bool = True) -> None:
        try:
            h.send_response(status)
            if content_type:
                headers.setdefault("Content-Type", "application/rss+xml; charset=utf-8")
            for k, v in headers.items():
                h.send_header(k, v)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            if drip:
                for i in range(len(body)):
                    if self._stop.is_set():
                        return
                    h.wfile.write(body[i:i + 1])
                    h.wfile.flush()
                    time.sleep(drip)
            else:
                h.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _send_stream(self, h: BaseHTTPRequestHandler, route: Route,
                     headers: dict[str, str]) -> None:
        assert route.stream is not None
        h.close_connection = True
        try:
            h.send_response(route.status)
            if not route.omit_content_type:
                headers.setdefault("Content-Type", "application/rss+xml; charset=utf-8")
            for k, v in headers.items():
                h.send_header(k, v)
            h.send_header("Connection", "close")
            h.end_headers()
            for chunk in route.stream():
                if self._stop.is_set():
                    return
                h.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def close(self) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def refused_port() -> int:
    """A loopback port nothing listens on: bound, then closed, so a connect is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


class SilentListener:
    """A loopback socket that listens but never accepts or answers: the kernel completes the
    handshake from the backlog, then nothing ever arrives."""

    __test__ = False

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/feed.xml"

    def close(self) -> None:
        self.sock.close()


def serve() -> Iterator[TestServer]:
    server = TestServer()
    try:
        yield server
    finally:
        server.close()
