"""HTTP/1.1 for `Fetcher`: h11 over an asyncio protocol, with a pool of kept connections.

httpx and httpcore took ~0.7 ms of the main process's CPU for each feed answering 304, most of
it in layers a fetch of feeds does not need: anyio's cancel scopes around every read, write and
lock (each lock a trip through the event loop), a pool that scans every connection twice per
request and polls each idle one's socket, and request and response objects built twice. Here a
connection is h11 (the parser and keep-alive rules httpcore uses, with the same cap on a
response's header block) over a buffered `asyncio.Protocol`; a deadline is one timer per read.
The rules stay those of http.py: the caller resolves and checks the addresses, and a connection
is only ever made to the addresses it is given. Errors are httpcore's exception classes, so
Fetcher words them as before; what h11 says of a broken answer is put in plain words (`plain`).
"""

from __future__ import annotations

import asyncio
import contextlib
import select
import ssl
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass

import h11
import httpcore

# As httpcore: what one read asks for, and the largest header block (a server sending an
# endless header is refused at this size, not buffered).
READ_BYTES = 64 * 1024
MAX_HEAD = 100 * 1024
# Bytes the protocol holds unread before it stops reading the socket (flow control: a server
# cannot fill memory while a body is consumed slowly, or while its connection sits idle).
HIGH_WATER = 256 * 1024
# How long an idle connection is kept for another request (httpx's default).
KEEPALIVE_S = 5.0

Key = tuple[bytes, str, int]  # scheme, host, port


class _Protocol(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.eof = False
        self.error: BaseException | None = None
        self.waiter: asyncio.Future[None] | None = None
        self.drained: asyncio.Future[None] | None = None
        self.paused = False
        self.write_paused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > HIGH_WATER and not self.paused and self.transport is not None:
            self.paused = True
            self.transport.pause_reading()
        _wake(self.waiter)

    def eof_received(self) -> bool | None:
        self.eof = True
        _wake(self.waiter)
        return None  # the transport closes itself

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = True
        self.error = exc
        _wake(self.waiter)
        _wake(self.drained)

    def pause_writing(self) -> None:
        self.write_paused = True

    def resume_writing(self) -> None:
        self.write_paused = False
        _wake(self.drained)


def _wake(fut: asyncio.Future[None] | None) -> None:
    if fut is not None and not fut.done():
        fut.set_result(None)


class Stream:
    """One TCP connection (TLS once `start_tls` ran): reads and writes with a deadline each."""

    def __init__(self, transport: asyncio.Transport, protocol: _Protocol) -> None:
        self._transport = transport
        self._p = protocol
        sock = transport.get_extra_info("socket")
        self._fd: int = sock.fileno() if sock is not None else -1

    async def read(self, timeout: float | None) -> bytes:
        """Up to READ_BYTES; b"" at the end of the stream."""
        p = self._p
        if not p.buffer and not p.eof:
            await self._wait(timeout, "read")
        if p.buffer:
            if len(p.buffer) <= READ_BYTES:
                data = bytes(p.buffer)
                p.buffer.clear()
            else:
                data = bytes(p.buffer[:READ_BYTES])
                del p.buffer[:READ_BYTES]
            if p.paused and len(p.buffer) <= HIGH_WATER // 2:
                p.paused = False
                self._transport.resume_reading()
            return data
        if p.error is not None:
            raise httpcore.ReadError(_text(p.error))
        return b""

    async def _wait(self, timeout: float | None, what: str) -> None:
        p = self._p
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = loop.create_future()
        if what == "read":
            p.waiter = fut
        else:
            p.drained = fut
        timer = loop.call_later(timeout, _wake, fut) if timeout is not None else None
        try:
            await fut
        finally:
            if timer is not None:
                timer.cancel()
            if what == "read":
                p.waiter = None
            else:
                p.drained = None
        if what == "read" and not p.buffer and not p.eof:
            raise httpcore.ReadTimeout(f"nothing read within {timeout:g} s")
        if what == "write" and p.write_paused and p.error is None:
            raise httpcore.WriteTimeout(f"nothing written within {timeout:g} s")

    async def write(self, data: bytes, timeout: float | None) -> None:
        p = self._p
        if p.eof or self._transport.is_closing():
            raise httpcore.WriteError(_text(p.error) if p.error else "connection closed")
        self._transport.write(data)
        if p.write_paused:
            await self._wait(timeout, "write")
        if p.error is not None:
            raise httpcore.WriteError(_text(p.error))

    async def start_tls(self, context: ssl.SSLContext, server_hostname: str,
                        timeout: float | None) -> None:
        if self._p.buffer:
            # Bytes that came before the handshake are not the server's (anyone on the path
            # could have written them), and the first read after it would return them.
            self.close()
            raise httpcore.ConnectError("the server sent data before the TLS handshake")
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                tls = await loop.start_tls(self._transport, self._p, context,
                                           server_hostname=server_hostname)
        except TimeoutError:
            self.close()
            raise httpcore.ConnectTimeout(f"TLS handshake not done within {timeout:g} s"
                                          ) from None
        except OSError as exc:  # ssl.SSLError included (a certificate that does not verify)
            self.close()
            raise httpcore.ConnectError(_text(exc)) from None
        if tls is None:  # the connection closed during the handshake
            self.close()
            raise httpcore.ConnectError("connection closed during the TLS handshake")
        assert isinstance(tls, asyncio.Transport)
        self._transport = tls
        self._p.transport = tls

    def dead(self) -> bool:
        """Whether an idle connection can no longer take a request: the peer closed it, or
        sent bytes no request asked for. The socket is polled too, for what the event loop
        has not read yet."""
        p = self._p
        if p.buffer or p.eof or self._transport.is_closing():
            return True
        if self._fd < 0:
            return True
        poll = select.poll()
        poll.register(self._fd, select.POLLIN)
        return bool(poll.poll(0))

    def close(self) -> None:
        # Aborted, not closed gracefully: nothing is left to send when a connection is
        # dropped, and a TLS close would wait on the peer's answer.
        self._transport.abort()


def _text(exc: BaseException | None) -> str:
    return (str(exc) or type(exc).__name__) if exc is not None else ""


async def connect(addresses: Sequence[str], port: int, timeout: float | None) -> Stream:
    """A connection to the first of `addresses` that takes one (each tried for `timeout`)."""
    loop = asyncio.get_running_loop()
    error: Exception | None = None
    for address in addresses:
        try:
            async with asyncio.timeout(timeout):
                transport, protocol = await loop.create_connection(_Protocol, address, port)
        except TimeoutError:
            error = httpcore.ConnectTimeout(f"no connection within {timeout:g} s")
            continue
        except OSError as exc:
            error = httpcore.ConnectError(_text(exc))
            continue
        assert isinstance(transport, asyncio.Transport)
        return Stream(transport, protocol)
    raise error or httpcore.ConnectError("no address to connect to")


@dataclass(frozen=True)
class Timeouts:
    connect: float | None
    read: float | None
    write: float | None


@dataclass
class Head:
    status: int
    reason: str
    headers: dict[str, str]  # names in lower case; repeated headers joined with ", "
    # The header lines as they came, names in their own case: for what must go back to the
    # server byte for byte (validators), which `headers` may have decoded as Latin-1.
    raw: list[tuple[bytes, bytes]]


class Connection:
    """One HTTP/1.1 connection: a request, its response's head, then its body."""

    def __init__(self, key: Key, stream: Stream) -> None:
        self.key = key
        self.stream = stream
        self.h11 = h11.Connection(our_role=h11.CLIENT, max_incomplete_event_size=MAX_HEAD)
        self.expires = 0.0

    async def request(self, target: bytes, headers: list[tuple[bytes, bytes]],
                      timeouts: Timeouts) -> Head:
        try:
            data = self.h11.send(h11.Request(method=b"GET", target=target, headers=headers))
            data = (data or b"") + (self.h11.send(h11.EndOfMessage()) or b"")
        except h11.LocalProtocolError as exc:
            raise httpcore.LocalProtocolError(str(exc)) from None
        # As httpcore: a server may close its side early and still have answered; what it
        # said is read below (or the read fails).
        with contextlib.suppress(httpcore.WriteError):
            await self.stream.write(data, timeouts.write)
        while True:
            event = await self._next(timeouts.read)
            if isinstance(event, h11.Response):
                break
            if not isinstance(event, h11.InformationalResponse):  # h11 waits for nothing more
                raise httpcore.RemoteProtocolError(NO_ANSWER)
        raw = event.headers.raw_items()
        return Head(event.status_code, event.reason.decode("ascii", errors="ignore"),
                    _headers(raw), raw)

    def body(self, timeout: float | None) -> AsyncIterator[bytes]:
        """The body's bytes as they come (an iterator, not a generator: one left unfinished
        by a cap needs no finalizing)."""
        return _Body(self, timeout)

    async def chunk(self, timeout: float | None) -> bytes:
        """The body's next bytes; b"" once it ended."""
        while True:
            event = await self._next(timeout)
            if isinstance(event, h11.Data):
                if event.data:
                    return bytes(event.data)
            elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed) or (
                    event is h11.PAUSED):
                return b""

    async def _next(self, timeout: float | None) -> object:
        conn = self.h11
        while True:
            try:
                event = conn.next_event()
            except h11.RemoteProtocolError as exc:
                raise httpcore.RemoteProtocolError(plain(str(exc))) from None
            if event is not h11.NEED_DATA:
                return event
            data = await self.stream.read(timeout)
            if not data and conn.their_state == h11.SEND_RESPONSE:
                raise httpcore.RemoteProtocolError(NO_ANSWER)
            try:
                conn.receive_data(data)
            except (h11.RemoteProtocolError, RuntimeError) as exc:
                raise httpcore.RemoteProtocolError(plain(str(exc))) from None

    def reusable(self) -> bool:
        """After a response: ready for the next request on the same connection. Not when
        the response was left unread, the server said it closes, or it sent bytes past the
        response's end (a 304 with a body)."""
        conn = self.h11
        if conn.our_state is not h11.DONE or conn.their_state is not h11.DONE:
            return False
        if conn.trailing_data[0] or conn.trailing_data[1]:
            return False
        try:
            conn.start_next_cycle()
        except h11.LocalProtocolError:
            return False
        return True


NO_ANSWER = "the server closed the connection without answering"

# h11's words for what a server broke (h11 0.16, _readers.py, _headers.py, _state.py and
# _connection.py), as a user reads them in a failure line. Its own wording names its internals
# ("_SWITCH_UPGRADE event", "peer state is ERROR") and quotes the bytes as Python reprs
# ("bytearray(b'...')"), which are never shown: a message not listed here gets the last line.
_PLAIN: tuple[tuple[str, str], ...] = (
    ("Received server _SWITCH_UPGRADE", "the server switched protocols (101) unasked"),
    ("illegal chunk header", "bad chunked encoding"),
    ("malformed chunk footer", "bad chunked encoding"),
    ("peer closed connection without sending complete message body (incomplete chunked",
     "the body was cut short (the connection closed mid-chunk)"),
    ("peer closed connection without sending complete message body",
     "the body was cut short (the connection closed before its Content-Length)"),
    ("peer unexpectedly closed connection",
     "the server closed the connection in the middle of its answer"),
    ("bad Content-Length", "an invalid Content-Length"),
    ("conflicting Content-Length", "conflicting Content-Length headers"),
    ("multiple Transfer-Encoding", "more than one Transfer-Encoding header"),
    ("Only Transfer-Encoding: chunked", "a Transfer-Encoding other than chunked"),
    ("illegal status line: bytearray(b'HTTP/2",
     "an HTTP/2 status line over an HTTP/1.1 connection"),
    ("illegal status line", "an invalid status line"),
    ("illegal request line", "not an HTTP response"),
    ("no response line received", "not an HTTP response"),
    ("illegal header line", "an invalid header line"),
    ("continuation line at start of headers", "an invalid header line"),
    ("Illegal header", "an invalid header"),
    ("Receive buffer too long", f"a response head over the {MAX_HEAD // 1024} KB cap"),
    ("Got data when expecting EOF", "bytes past the end of its answer"),
    ("received close, then received more data", "bytes past the end of its answer"),
    ("can't handle event type", "an answer out of turn"),
)


def plain(message: str) -> str:
    """h11's message about a server's answer, in words for a user (see _PLAIN)."""
    for start, words in _PLAIN:
        if message.startswith(start):
            return words
    return "an answer that breaks HTTP/1.1's rules"


class _Body:
    def __init__(self, conn: Connection, timeout: float | None) -> None:
        self._conn = conn
        self._timeout = timeout

    def __aiter__(self) -> _Body:
        return self

    async def __anext__(self) -> bytes:
        data = await self._conn.chunk(self._timeout)
        if not data:
            raise StopAsyncIteration
        return data


def _headers(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """As httpx reads a header block: ASCII, else UTF-8, else Latin-1 for all of it, and a
    repeated header's values joined with ", "."""
    for encoding in ("ascii", "utf-8", "iso-8859-1"):
        try:
            pairs = [(k.decode(encoding).lower(), v.decode(encoding)) for k, v in raw]
            break
        except UnicodeDecodeError:
            continue
    out: dict[str, str] = {}
    for name, value in pairs:
        out[name] = f"{out[name]}, {value}" if name in out else value
    return out


class Pool:
    """Idle connections by origin. At most `limit` connections are open, busy and idle
    together: past it the least recently used idle one is closed. The caller bounds the
    requests under way below `limit` (Fetcher's slots), so none waits for a connection."""

    def __init__(self, *, limit: int, make_ssl_context: Callable[[], ssl.SSLContext]) -> None:
        self._limit = max(1, limit)
        # Called at each TLS connection (the caller caches it): a run of plain-HTTP feeds
        # never loads the CA bundle, ~15 ms of the thread that writes.
        self._make_ssl = make_ssl_context
        self._idle: dict[Key, list[Connection]] = {}
        self._order: dict[Connection, None] = {}  # every idle connection, oldest first
        self._busy = 0

    async def connection(self, key: Key, addresses: Sequence[str], timeouts: Timeouts, *,
                         fresh: bool = False) -> Connection:
        """A kept connection to `key` (unless `fresh`), else a new one to `addresses`. Give
        it back with `release` (or `discard`) once its request is over."""
        kept = self._idle.get(key)
        now = time.monotonic()
        while kept and not fresh:
            conn = kept.pop()  # the most recently used: the likeliest still open
            del self._order[conn]
            if conn.expires > now and not conn.stream.dead():
                self._busy += 1
                return conn
            conn.stream.close()
        self._trim(self._limit - 1)
        scheme, host, port = key
        context = None
        if scheme == b"https":
            try:
                context = self._make_ssl()
            except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
                raise httpcore.ConnectError(f"cannot load TLS certificates: {exc}") from None
        stream = await connect(addresses, port, timeouts.connect)
        if context is not None:
            await stream.start_tls(context, host, timeouts.connect)
        self._busy += 1
        return Connection(key, stream)

    def release(self, conn: Connection) -> None:
        """A connection whose request is over: kept when it can take another, else closed."""
        if not conn.reusable():
            self.discard(conn)
            return
        self._busy -= 1
        conn.expires = time.monotonic() + KEEPALIVE_S
        self._idle.setdefault(conn.key, []).append(conn)
        self._order[conn] = None
        self._trim(self._limit)

    def discard(self, conn: Connection) -> None:
        """A connection taken by `connection` that is not to be used again: closed."""
        self._busy -= 1
        conn.stream.close()

    def _trim(self, most: int) -> None:
        while self._order and len(self._order) + self._busy > most:
            oldest = next(iter(self._order))
            del self._order[oldest]
            self._idle[oldest.key].remove(oldest)
            oldest.stream.close()

    def close(self) -> None:
        for conn in self._order:
            conn.stream.close()
        self._order.clear()
        self._idle.clear()
