"""The only network code. Every request is capped in size, time and redirects.

Redirects are followed by hand so each hop's scheme is checked (a feed must not redirect us to
file:// or gopher://) and a loop stops after `max_redirects`. Bodies are streamed and counted
after decoding, so a small gzip bomb stops at the cap instead of filling memory.

Every request, each redirect hop and teaser link included, is checked by `AddressGuard`: it
resolves the host itself, refuses internal addresses (see addresses.py) unless the user chose
that host, and the connection is then made to the very addresses it checked (feeds and pages
over wire.py's connections, translation engines over httpx's). Resolving twice
(once to check, once to connect) would let a name answer a public address to the check and
127.0.0.1 to the connect (DNS rebinding). A host's addresses are kept for a while
(RESOLVED_SECONDS) and checked again for each request: the addresses checked are still the
ones connected to.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import email.utils
import functools
import ipaddress
import re
import select
import socket
import ssl
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from briefing.config import FetchSettings
from briefing.errors import BriefingError
from briefing.sources import wire
from briefing.sources.addresses import (
    AllowList,
    not_public,
    origin,
    parse_allow,
    trusted_origins,
)
from briefing.text import one_line
from briefing.urls import is_http_url

# Longest Retry-After we wait for inside one run; a longer one defers the host to a later run.
MAX_INLINE_WAIT_S = 5.0
# Longest Retry-After we honour at all: a server asking for more (or for 10^40 s, which no
# clock can add) is tried again after a week rather than never.
MAX_RETRY_AFTER_S = 7 * 24 * 3600.0


@dataclass(frozen=True)
class Response:
    url: str  # after redirects
    status: int
    headers: dict[str, str]
    body: bytes
    # The validators exactly as sent (see `validator`), for the next conditional request.
    etag: str | None = None
    last_modified: str | None = None


def validator(raw: list[tuple[bytes, bytes]], name: bytes) -> str | None:
    """The value of header `name` (lower case) exactly as the server sent it, for sending
    back: bytes that are not UTF-8 are kept as surrogates (PEP 383), so `.encode("utf-8",
    "surrogateescape")` gives them back. The decoded `headers` would not: a block with one
    byte that is not UTF-8 is read as Latin-1, sent back as UTF-8, and its ETag never
    matched again (a 200 each run instead of a 304)."""
    values = [value for key, value in raw if key.lower() == name]
    if not values:
        return None
    return b", ".join(values).decode("utf-8", "surrogateescape")


class FetchError(BriefingError):
    """A request failed; `str(err)` is the one-line reason a user sees."""

    def __init__(self, reason: str, *, status: int | None = None, gone: bool = False,
                 retry_after: float | None = None) -> None:
        # A reason often carries the server's own words (its reason phrase, h11's view of its
        # bytes): cleaned here, so no escape sequence reaches a terminal, a report or
        # sources.last_error, whoever shows it later.
        super().__init__(one_line(reason, 500))
        self.status = status
        self.gone = gone
        self.retry_after = retry_after


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), at most
    MAX_RETRY_AFTER_S; None when the header is absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"[0-9]+", value):  # ASCII only: str.isdigit() takes "²", float() does not
        return min(float(value), MAX_RETRY_AFTER_S)  # float() of 400 nines is inf, no error
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    wait = when - (time.time() if now is None else now)
    return min(max(0.0, wait), MAX_RETRY_AFTER_S)


class AddressRefused(httpx.ConnectError):
    """The host resolves to an address a stranger's link may not send us to."""


# How long the addresses a host resolved to (and were checked) are used again before it is
# looked up anew: a run asks once per host, not once per feed and page (each lookup a trip to
# a thread). The connection still goes to exactly the addresses checked.
RESOLVED_SECONDS = 120.0

# Request extension naming the (host, port) pairs the user chose for this request.
TRUSTED = "briefing.trusted"
# The addresses checked for each (host, port) of the request under way in this task, which the
# connection must use. httpcore connects in the requesting task, so a context variable reaches
# its network backend without any private hook.
_pinned: contextvars.ContextVar[dict[tuple[str, int], tuple[str, ...]]] = (
    contextvars.ContextVar("briefing_pinned", default={}))  # noqa: B039 (never mutated)

Resolver = Callable[[str, int], Awaitable[list[str]]]


async def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system's resolver gives for `host`, in its order."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class _PinnedBackend(httpcore.AsyncNetworkBackend):
    """Connects to the addresses the transport checked for the host, never to a fresh lookup;
    a host with none (a code path that skipped the check) is refused, not resolved."""

    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
                          ) -> httpcore.AsyncNetworkStream:
        addresses = _pinned.get().get((host.lower().rstrip("."), port))
        if not addresses:
            raise httpcore.ConnectError(f"{host}: address not checked; not connecting")
        error: Exception | None = None
        for address in addresses:
            try:
                return _Stream(await self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address,
                    socket_options=socket_options))
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
                                  ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are never used")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _Stream(httpcore.AsyncNetworkStream):
    """anyio's stream, whose socket is looked up once. httpcore asks every idle connection of
    the pool whether it was closed (is_readable) each time it hands one out, and anyio
    answered by building a table of the socket's attributes, two system calls included:
    ~14% of a 304's CPU."""

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._socket: socket.socket | None = inner.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        # Over the same socket, which httpcore's own check polls for TLS connections too.
        return _Stream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable" and self._socket is not None:
            return _readable(self._socket)
        return self._inner.get_extra_info(info)


def _readable(sock: socket.socket) -> bool:
    """Whether a read would not wait: data, or the peer's close, is there (as httpcore's own
    check, which also takes a closed socket for readable)."""
    fd = sock.fileno()
    if fd < 0:
        return True
    poll = select.poll()
    poll.register(fd, select.POLLIN)
    return bool(poll.poll(0))


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """One TLS context for every client: loading the CA bundle costs 50-150 ms, and each
    translation engine request makes a client of its own (so `fetch --translate` paid it twice
    per request before). An SSLContext is safe to share across threads and event loops."""
    return httpx.create_ssl_context(trust_env=False)


class AddressGuard:
    """Resolves a request's host and checks every address it gets (AddressRefused for an
    internal one nobody chose), keeping what a host resolved to for RESOLVED_SECONDS: what
    each request asks before it may connect, over either client."""

    def __init__(self, *, allow: AllowList, resolver: Resolver = system_resolver) -> None:
        self.allow = allow
        self.resolver = resolver
        # (host, port) -> when it was resolved (monotonic), the addresses (see _addresses).
        self._resolved: dict[tuple[str, int], tuple[float, list[str]]] = {}

    async def checked(self, host: str, port: int, trusted: frozenset[tuple[str, int]],
                      request: httpx.Request | None = None) -> list[str]:
        """The addresses `host` resolves to, each allowed for a request trusting `trusted`
        (AddressRefused otherwise): the only ones a connection for it may go to."""
        addresses = await self._addresses(request, host, port)
        if self.allow.allows_host(host):
            return addresses
        named = (host, port) in trusted
        for address in addresses:
            reason = not_public(address)
            if reason is None or self.allow.allows_address(address):
                continue
            shown = host if host == address else f"{host} ({address})"
            if not named:
                article = "an" if reason[0] in "aeiou" else "a"
                raise AddressRefused(
                    f"refused {shown}: {article} {reason}; only hosts you name or list "
                    "in [fetch] allow_private may be internal", request=request)
            if reason == "link-local address":
                # Even a host the user named: no feed lives on a link-local address, but the
                # cloud's metadata service does (169.254.169.254), and a subscription list
                # from a stranger (an OPML file) names hosts on the user's behalf.
                raise AddressRefused(
                    f"refused {shown}: a link-local address, where cloud metadata services "
                    "answer; list it in [fetch] allow_private to fetch it", request=request)
        return addresses

    async def _addresses(self, request: httpx.Request | None, host: str, port: int,
                         ) -> list[str]:
        if _literal(host):
            return [host]  # a literal address needs no lookup
        # Kept for a while: every request still checks the addresses against its own trust,
        # and connects to these very addresses, so a name answering otherwise later (DNS
        # rebinding) changes nothing until it is looked up again, and checked again.
        kept = self._resolved.get((host, port))
        if kept is not None and time.monotonic() - kept[0] < RESOLVED_SECONDS:
            return kept[1]
        try:
            found = await self.resolver(host, port)
        except (OSError, UnicodeError) as exc:
            raise httpx.ConnectError(f"cannot resolve {host}: {exc}", request=request) from None
        if not found:
            raise httpx.ConnectError(f"cannot resolve {host}: no address", request=request)
        self._resolved[(host, port)] = (time.monotonic(), found)
        return found


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport, with each request's host resolved and checked (AddressGuard) and
    its connections pinned to the checked addresses (TLS still verifies the host name)."""

    def __init__(self, *, allow: AllowList, limits: httpx.Limits,
                 resolver: Resolver = system_resolver) -> None:
        super().__init__(verify=shared_ssl_context(), limits=limits, trust_env=False)
        # The pool httpx builds has no way to take a network backend, so it is built again with
        # ours; the pinning test fails if a future httpx stops using this attribute.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=shared_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_PinnedBackend(),
        )
        self.guard = AddressGuard(allow=allow, resolver=resolver)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        host, port = origin(url.scheme, url.raw_host.decode("ascii"), url.port)
        addresses = await self.guard.checked(
            host, port, request.extensions.get(TRUSTED, frozenset()), request)
        token = _pinned.set({**_pinned.get(), (host, port): tuple(addresses)})
        try:
            return await super().handle_async_request(request)
        finally:
            _pinned.reset(token)


@functools.lru_cache(maxsize=4096)
def _literal(host: str) -> bool:
    """Whether `host` is an IP address (asked for each request: parsed once)."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def new_client(*, timeout: httpx.Timeout, limits: httpx.Limits, allow: AllowList,
               resolver: Resolver = system_resolver,
               headers: dict[str, str] | None = None) -> httpx.AsyncClient:
    """The one way briefing makes an HTTP client (translation engines; `Fetcher` sends feeds
    and pages over wire.py, checked by the same AddressGuard): every request through the
    guarded transport (address rules, pinned connections), redirects followed by hand or
    not at all, and no proxy taken from the environment (a stray proxy variable must not
    reroute cron's fetches)."""
    return httpx.AsyncClient(
        follow_redirects=False, timeout=timeout, headers=headers, trust_env=False,
        transport=GuardedTransport(allow=allow, limits=limits, resolver=resolver))


async def read_capped(resp: httpx.Response, cap: int) -> bytes:
    """The body, counted after decoding, so a small gzip bomb stops at the cap.

    Decoded here, not by httpx: its decoders inflate each chunk whole, so one 64 KB read of a
    bomb became ~64 MB, and a body gzipped twice ("Content-Encoding: gzip, gzip") of 1.8 KB
    became 1 GB in memory before the cap was checked. Here no step makes more than the
    bytes still allowed."""
    return await _read_capped(resp.headers.get_list("content-encoding", split_commas=True),
                              resp.aiter_raw(), cap)


async def _read_capped(encodings: list[str], raw: AsyncIterator[bytes], cap: int) -> bytes:
    """read_capped's work: the body's `raw` bytes, undone of their `encodings`, under `cap`."""
    chunks: list[bytes] = []
    size = 0

    def keep(decoded: Iterator[bytes]) -> None:
        nonlocal size
        for chunk in decoded:
            size += len(chunk)
            if size > cap:
                raise FetchError(f"body is over the {cap:,}-byte cap (decoded)")
            chunks.append(chunk)

    decoder = _CappedDecoder(encodings)
    try:
        async for data in raw:
            keep(decoder.decode(data, cap - size))
        keep(decoder.flush(cap - size))
    except zlib.error as exc:
        raise FetchError(f"cannot decode the response body: {_reason(exc)}") from None
    body = b"".join(chunks)
    unknown = [e for e in (n.strip().lower() for n in encodings) if e in _UNDECODED]
    if unknown and not _looks_like_text(body):
        # We ask for gzip and deflate only. A server that labels a plain body "br" (a
        # misconfiguration seen in the wild) is read as it is; one that really compressed
        # it would otherwise reach the feed parser as garbage and be reported as a syntax
        # error in the XML, which says nothing of the cause.
        raise FetchError(f"the body is {unknown[0]}-encoded, which was not asked for and "
                         "cannot be decoded (we accept gzip and deflate)")
    return body


# Encodings a server may use although we never offer them, and which we cannot undo.
_UNDECODED = frozenset({"br", "zstd", "compress", "x-compress"})


def _looks_like_text(body: bytes) -> bool:
    """A body that starts like markup or JSON, after a byte order mark and blanks: what a
    feed or a page starts with, and what compressed bytes almost never do."""
    head = body[:1024].lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n")
    return not body or head[:1] in (b"<", b"{")


# Content encodings stacked on one body that we undo; a server sending more is refused.
MAX_ENCODINGS = 3


class _CappedDecoder:
    """gzip and deflate, undone layer by layer with zlib's max_length, so no call returns
    more than the bytes still allowed (plus one, to see the cap crossed). Other encodings are
    passed through undecoded, as httpx does without the library for them."""

    def __init__(self, encodings: list[str]) -> None:
        names = [e.strip().lower() for e in encodings]
        names = [n for n in names if n in ("gzip", "x-gzip", "deflate")]
        if len(names) > MAX_ENCODINGS:
            raise FetchError(f"{len(names)} content encodings on one body (at most "
                             f"{MAX_ENCODINGS}); refused")
        # Undone in the reverse of the order they were applied (the header's order).
        self._layers = [_Inflater(name) for name in reversed(names)]

    def decode(self, data: bytes, budget: int) -> Iterator[bytes]:
        return self._through(0, data, budget)

    def flush(self, budget: int) -> Iterator[bytes]:
        return self._through(0, b"", budget, final=True)

    def _through(self, i: int, data: bytes, budget: int, final: bool = False,
                 ) -> Iterator[bytes]:
        if i == len(self._layers):
            if data:
                yield data
            return
        layer = self._layers[i]
        for out in layer.inflate(data, max(0, budget) + 1):
            yield from self._through(i + 1, out, budget)
        if final:
            yield from self._through(i + 1, layer.flush(), budget, final=True)


class _Inflater:
    def __init__(self, name: str) -> None:
        self._deflate = name == "deflate"
        self._first = True
        # deflate is zlib-wrapped by the standard, raw by some servers: tried in that order.
        self._z = zlib.decompressobj(zlib.MAX_WBITS if self._deflate else zlib.MAX_WBITS | 16)
        # What the zlib-wrapped try was given, for a raw try to start over from: zlib only
        # checks its 2-byte header once it has both bytes, so a first piece of one byte
        # decides nothing.
        self._head = b""
        # Past the end of the compressed stream: a byte that may begin another gzip member,
        # and whether what followed was something else (dropped from then on).
        self._after = b""
        self._dropping = False
        self._seen = False  # any input at all: an empty body is no stream cut short

    def inflate(self, data: bytes, limit: int) -> Iterator[bytes]:
        self._seen = self._seen or bool(data)
        if self._z.eof:
            data = self._next_member(data)
            if not data:
                return
        if self._deflate and self._first:
            self._head += data
        while True:
            try:
                out = self._z.decompress(data, limit)
            except zlib.error:
                if not (self._deflate and self._first):
                    raise
                self._first = False
                self._z = zlib.decompressobj(-zlib.MAX_WBITS)
                data, self._head = self._head, b""
                continue
            if not self._deflate or len(self._head) >= 2:
                self._first = False
                self._head = b""
            data = self._z.unconsumed_tail
            if out:
                yield out
            if self._z.eof:
                data = self._next_member(self._z.unused_data)
                if not data:
                    return
                continue
            # A full `limit` may leave output pending inside zlib with no input left.
            if not data and len(out) < limit:
                return

    def _next_member(self, rest: bytes) -> bytes:
        """After the end of the compressed stream, given what followed: those bytes when they
        begin another gzip member (RFC 1952 2.2: a gzip body is a series of them), with a
        decompressor for it; else b"". Anything else is dropped, not left to zlib, which
        keeps every byte after the end and copies all of them again on every call."""
        rest, self._after = self._after + rest, b""
        if not self._deflate and not self._dropping:
            if rest[:2] == b"\x1f\x8b":
                self._z = zlib.decompressobj(zlib.MAX_WBITS | 16)
                return rest
            if rest == b"\x1f":
                self._after = rest
                return b""
        self._dropping = self._dropping or bool(rest)
        return b""

    def flush(self) -> bytes:
        out = self._z.flush() if not self._first else b""
        if not self._deflate and not self._z.eof and not self._dropping and (
                self._z.unconsumed_tail or self._seen):
            # A gzip stream cut short (its end and checksum missing): what came through was
            # stored as the whole feed, its items empty or half there, and "ok". Only gzip:
            # servers send deflate in too many broken forms for its end to be trusted.
            raise zlib.error("the gzip stream is cut short (truncated)")
        return out


class NoAnswer(FetchError):
    """The host could not be reached, or did not answer in time: another request to it now
    would most likely fail the same way."""


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes


async def post_json(url: str, payload: Any, *, timeout: float, max_bytes: int,
                    headers: dict[str, str] | None = None) -> Reply:
    """POST `payload` as JSON to a service the user configured (a translation engine), under
    one deadline from connect to the last byte: httpx's own timeouts are per read, and a
    server dripping a byte a second held a `timeout = 5` call for 105 s. The host is the
    user's choice, so it may be internal (the address rules still pin the connection to the
    address checked); a redirect is returned, not followed, so a POST body never wanders."""
    try:
        async with asyncio.timeout(timeout), new_client(
                timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
                limits=httpx.Limits(max_connections=1, max_keepalive_connections=0),
                allow=parse_allow([])) as client, client.stream(
                    "POST", url, json=payload, headers=headers,
                    extensions={TRUSTED: _trust(url)}) as resp:
            body = await read_capped(resp, max_bytes)
            return Reply(resp.status_code, {k.lower(): v for k, v in resp.headers.items()},
                         body)
    except (TimeoutError, httpx.TimeoutException):
        raise NoAnswer(f"timed out after {timeout:g}s") from None
    except httpx.ConnectError as exc:
        raise NoAnswer(f"cannot connect ({one_line(exc, 200)})") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"request failed ({one_line(exc, 200)})") from None


class Fetcher:
    """An async HTTP client with global and per-host limits. Use as `async with Fetcher(s)`."""

    def __init__(self, settings: FetchSettings, *, resolver: Resolver = system_resolver) -> None:
        self.settings = settings
        self.resolver = resolver
        self._guard: AddressGuard | None = None
        self._global = asyncio.Semaphore(max(1, settings.concurrency))
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._not_before: dict[str, float] = {}

    async def __aenter__(self) -> Fetcher:
        s = self.settings
        # The requests go over wire.py's connections, not httpx's: its layers and httpcore's
        # took most of a 304's CPU. Only the address rules are shared with httpx's client.
        self._guard = AddressGuard(allow=parse_allow(s.allow_private), resolver=self.resolver)
        # Connections for twice the requests under way (as httpx's limits were): idle ones
        # are kept until that many are open, so a feed's request usually finds its host's
        # connection still open, however many hosts the feeds are spread over.
        self._pool = wire.Pool(limit=max(1, s.concurrency) * 2,
                               make_ssl_context=shared_ssl_context)
        self._timeouts = wire.Timeouts(connect=s.connect_timeout, read=s.read_timeout,
                                       write=s.read_timeout)
        # What an httpx client sent by default, with our agent and encodings (no cookie is
        # ever kept or sent).
        self._headers = {b"accept": (b"Accept", b"*/*"),
                         b"connection": (b"Connection", b"keep-alive"),
                         b"user-agent": (b"User-Agent", s.user_agent.encode()),
                         b"accept-encoding": (b"Accept-Encoding", b"gzip, deflate")}
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._guard is not None:
            self._pool.close()

    def _host_slot(self, url: str) -> asyncio.Semaphore:
        host = _hostname(url)
        if host not in self._hosts:
            self._hosts[host] = asyncio.Semaphore(max(1, self.settings.per_host))
        return self._hosts[host]

    async def _respect_retry_after(self, url: str) -> None:
        host = _hostname(url)
        wait = self._not_before.get(host, 0.0) - time.monotonic()
        if wait > MAX_INLINE_WAIT_S:
            raise FetchError(f"{host} asked us to wait {wait:.0f} s (Retry-After); skipped",
                             retry_after=wait)
        if wait > 0:
            await asyncio.sleep(wait)

    async def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
                  max_bytes: int | None = None, accept: str | None = None,
                  trusted: str | None = None) -> Response:
        """GET `url` with conditional headers; a 304 comes back as a Response with no body.

        `trusted` is a URL the user named (a feed they subscribed to): its host may be
        internal, for this request and every redirect hop that stays on it. Every other host
        on the way must resolve to public addresses (or be listed in allow_private)."""
        cap = self.settings.max_bytes if max_bytes is None else max_bytes
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if accept:
            headers["Accept"] = accept
        return await self._follow(url, headers, cap, _trust(trusted))

    async def _follow(self, url: str, headers: dict[str, str], cap: int,
                      trusted: frozenset[tuple[str, int]]) -> Response:
        """The request and its redirects. total_timeout counts only the time spent on them:
        waiting for a host's slot (per_host), one of the run's (concurrency) or a Retry-After
        pause is not the server's slowness, and counting it failed feeds queued behind others
        on the same host."""
        total = self.settings.total_timeout
        left = total
        loop = asyncio.get_running_loop()
        current = url
        for _hop in range(self.settings.max_redirects + 1):
            if not _is_http_url(current):
                raise FetchError(f"refused to fetch {current[:80]!r}: only http and https")
            await self._respect_retry_after(current)
            # The host's slot first, then one of the run's: a feed queued behind a slow host
            # must not hold one of the `concurrency` slots while it waits, or a few stalled
            # feeds on one host stalled every other host for several deadlines in a row.
            async with self._host_slot(current), self._global:
                started = loop.time()
                try:
                    async with asyncio.timeout(left), self._stream(current, headers,
                                                                   trusted) as answer:
                        status = answer.head.status
                        if status in (301, 302, 303, 307, 308):
                            location = answer.head.headers.get("location")
                            if not location:
                                raise FetchError(f"HTTP {status} redirect without "
                                                 "a Location", status=status)
                            try:
                                current = urljoin(current, location.strip())
                            except ValueError:  # "http://[::1": urllib refuses to join it
                                raise FetchError(f"HTTP {status} redirect to an "
                                                 f"invalid URL: {location[:80]!r}",
                                                 status=status) from None
                            await _skip_short_body(answer)
                        else:
                            return await self._finish(current, answer, cap)
                except TimeoutError:
                    raise FetchError(f"no complete answer within {total:g} s") from None
                left -= loop.time() - started
        raise FetchError(f"more than {self.settings.max_redirects} redirects (a loop?)")

    @asynccontextmanager
    async def _stream(self, url: str, headers: dict[str, str],
                      trusted: frozenset[tuple[str, int]]) -> AsyncIterator[_Answer]:
        assert self._guard is not None, "use Fetcher as an async context manager"
        s = self.settings
        conn: wire.Connection | None = None
        try:
            try:
                key, target, host_header = _target(url)
            except (ValueError, httpx.InvalidURL) as exc:  # idna's errors are ValueErrors
                raise FetchError(f"invalid URL {url[:80]!r}: {_reason(exc)}") from None
            _, host, port = key
            addresses = await self._guard.checked(host, port, trusted)
            sent = dict(self._headers)
            for name, value in headers.items():
                # A validator's bytes as its server sent them (see `validator`).
                sent[name.lower().encode()] = (name.encode(),
                                               value.encode("utf-8", "surrogateescape"))
            lines = [(b"Host", host_header), *sent.values()]
            try:
                conn = await self._pool.connection(key, addresses, self._timeouts)
                head = await conn.request(target, lines, self._timeouts)
            except (httpcore.RemoteProtocolError, httpcore.ReadError, httpcore.WriteError):
                if conn is None:
                    raise
                # No answer read: a kept-alive connection the server closed as this request
                # went out (its keep-alive timeout), or one it broke before answering. Sent
                # once more, on a new connection, as browsers do for a GET; a server that
                # fails every time fails this one too.
                self._pool.discard(conn)
                conn = None
                conn = await self._pool.connection(key, addresses, self._timeouts, fresh=True)
                head = await conn.request(target, lines, self._timeouts)
            yield _Answer(head, conn.body(self._timeouts.read))
        except AddressRefused as exc:
            raise FetchError(str(exc)) from None
        except httpcore.ConnectTimeout:
            raise FetchError(f"could not connect within {s.connect_timeout:g} s") from None
        except httpcore.ReadTimeout:
            raise FetchError(f"server sent nothing for {s.read_timeout:g} s") from None
        except (httpx.ConnectError, httpcore.ConnectError) as exc:
            raise FetchError(f"cannot connect: {_reason(exc)}") from None
        except httpcore.RemoteProtocolError as exc:
            raise FetchError(f"broken HTTP response: {_reason(exc)}") from None
        except httpcore.ReadError as exc:
            raise FetchError(_explained("connection broken while reading the response", exc)
                             ) from None
        except httpcore.WriteError as exc:
            raise FetchError(_explained("connection broken while sending the request", exc)
                             ) from None
        except (httpx.HTTPError, httpcore.TimeoutException, httpcore.NetworkError,
                httpcore.ProtocolError) as exc:
            raise FetchError(_explained(type(exc).__name__, exc)) from None
        finally:
            if conn is not None:
                self._pool.release(conn)

    async def _finish(self, url: str, answer: _Answer, cap: int) -> Response:
        head = answer.head
        headers, status = head.headers, head.status
        if status == 304:
            # Read to its end (a 304 has no body): a response left unread closes its
            # connection, and a cron cycle of 304s then paid a new connection for each feed.
            await _read_capped([], answer.body, cap)
            return Response(url, status, headers, b"", validator(head.raw, b"etag"),
                            validator(head.raw, b"last-modified"))
        if status >= 400:
            raise self._status_error(url, status, head.reason, headers)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap and "content-encoding" not in headers:
            raise FetchError(f"body is {int(declared):,} bytes, over the {cap:,}-byte cap")
        encodings = headers.get("content-encoding", "").split(",")
        return Response(url, status, headers, await _read_capped(encodings, answer.body, cap),
                        validator(head.raw, b"etag"), validator(head.raw, b"last-modified"))

    def _status_error(self, url: str, status: int, phrase: str,
                      headers: dict[str, str]) -> FetchError:
        reason = f"HTTP {status} {phrase}".strip()
        if status == 410:
            return FetchError(f"{reason}: the feed is gone; it will not be fetched again",
                              status=status, gone=True)
        if status in (429, 503):
            wait = parse_retry_after(headers.get("retry-after"))
            if wait is not None:
                host = (urlsplit(url).hostname or "").lower()
                self._not_before[host] = time.monotonic() + wait
                return FetchError(f"{reason} (retry after {wait:.0f} s)", status=status,
                                  retry_after=wait)
        return FetchError(reason, status=status)


@dataclass(frozen=True)
class _Answer:
    head: wire.Head
    body: AsyncIterator[bytes]


# A redirect's body (a "Moved" page) is read and dropped when it is at most this long and
# comes within this time, so its connection goes back to the pool for the next hop, most
# often on the same origin: left unread, the connection was closed and each hop paid a new
# one (and a TLS handshake). A longer or slower body is left, its connection closed as before.
REDIRECT_BODY_BYTES = 64 * 1024
REDIRECT_BODY_WAIT_S = 2.0


async def _skip_short_body(answer: _Answer) -> None:
    headers = answer.head.headers
    length = headers.get("content-length", "")
    chunked = "chunked" in headers.get("transfer-encoding", "").lower()
    if "close" in headers.get("connection", "").lower() or not (
            chunked or (length.isdigit() and int(length) <= REDIRECT_BODY_BYTES)):
        return  # its connection cannot be kept whatever is read (or the body is too long)
    read = 0
    # The hop goes on whatever happens here: a broken or slow body only costs the connection.
    with contextlib.suppress(TimeoutError, httpcore.ReadError, httpcore.ReadTimeout,
                             httpcore.RemoteProtocolError):
        async with asyncio.timeout(REDIRECT_BODY_WAIT_S):
            async for data in answer.body:
                read += len(data)
                if read > REDIRECT_BODY_BYTES:
                    return


# A feed's URL is looked at three times a request (scheme, host slot, Retry-After): parsed once.
_is_http_url = functools.lru_cache(maxsize=4096)(is_http_url)


@functools.lru_cache(maxsize=4096)
def _hostname(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


@functools.lru_cache(maxsize=4096)  # a feed's URL, parsed once instead of per request
def _target(url: str) -> tuple[wire.Key, bytes, bytes]:
    """Where a request for `url` goes, as httpx reads a URL (IDNA included): the origin the
    connection is for, the request target and the Host header."""
    parts = httpx.URL(url)
    # `host` decodes an IDN's labels, as building an httpx request did: a malformed one
    # ("xn--") is an invalid URL, not a name sent to the resolver.
    if parts.scheme not in ("http", "https") or not parts.host:
        raise httpx.InvalidURL("no http(s) host")
    if parts.port is not None and not 0 < parts.port < 65536:
        # No socket has it: 65536 and up failed in connect() with an OverflowError, and 0
        # read as no port at all (so port 80).
        raise httpx.InvalidURL(f"port {parts.port} is out of range")
    host, port = origin(parts.scheme, parts.raw_host.decode("ascii"), parts.port)
    return (parts.raw_scheme, host, port), parts.raw_path, parts.netloc


@functools.lru_cache(maxsize=4096)  # a feed's URL, parsed once instead of per request
def _trust(url: str | None) -> frozenset[tuple[str, int]]:
    if url is None:
        return frozenset()
    try:
        parts = httpx.URL(url)
        return trusted_origins(parts.scheme, parts.raw_host.decode("ascii"), parts.port)
    except (httpx.InvalidURL, UnicodeError):
        return frozenset()


def _explained(what: str, exc: BaseException) -> str:
    """`what`, with httpx's own message when it has one worth adding."""
    detail = str(exc).strip()
    if not detail or detail == type(exc).__name__:
        return what
    return f"{what}: {_reason(exc)}"


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]
