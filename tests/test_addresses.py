"""Internal addresses: a stranger's redirect or teaser link never reaches loopback, private,
link-local or reserved addresses; the hosts the user named and `[fetch] allow_private` may.

Everything here stays on this machine: the "internal" targets are other names and forms of
loopback (localhost, 127.0.0.2, ::ffff:127.0.0.1, 0.0.0.0), so even a broken check would only
reach the test server, which counts every request it gets.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpcore
import pytest

from briefing.config import ConfigError, Settings, load
from briefing.pipeline import run_fetch
from briefing.sources.addresses import not_public, parse_allow
from briefing.sources.http import Fetcher, FetchError, _pinned, _PinnedBackend
from briefing.store import Store
from tests.conftest import quick_settings
from tests.feedgen import rss
from tests.httpserver import Route, TestServer


def _settings(**fetch: object) -> Settings:
    settings: Settings = quick_settings(connect=30, read=30, total=60, **fetch)
    return settings


@pytest.mark.parametrize(("address", "reason"), [
    ("169.254.169.254", "link-local"),  # the cloud metadata service
    ("127.0.0.1", "loopback"), ("127.0.0.2", "loopback"), ("::1", "loopback"),
    ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("192.168.1.10", "private"),
    ("fc00::1", "private"), ("fe80::1", "link-local"), ("fe80::1%2", "link-local"),
    ("224.0.0.1", "multicast"), ("ff02::1", "multicast"),
    ("0.0.0.0", "unspecified"), ("::", "unspecified"), ("240.0.0.1", "reserved"),
    ("100.64.0.1", "non-public"),  # carrier-grade NAT: neither private nor public
    ("::ffff:127.0.0.1", "loopback"), ("::ffff:169.254.169.254", "link-local"),
    ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of 169.254.169.254
    ("2002:7f00:1::", "loopback"),  # 6to4 of 127.0.0.1
])
def test_internal_addresses_are_named(address: str, reason: str) -> None:
    assert not_public(address) == f"{reason} address"


@pytest.mark.parametrize("address", ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    assert not_public(address) is None


def test_allow_private_entries_are_validated(tmp_path: Path) -> None:
    allow = parse_allow(["192.168.1.0/24", "Feeds.Home.LAN.", "::1", "10.0.0.7"])
    assert allow.allows_address("192.168.1.77") and not allow.allows_address("192.168.2.1")
    assert allow.allows_address("::1") and allow.allows_address("10.0.0.7")
    assert allow.allows_host("feeds.home.lan") and not allow.allows_host("home.lan")
    for bad in ("192.168.1.0/33", "10.0.0.300", "http://feeds.home.lan", "a b"):
        config = tmp_path / "config.toml"
        config.write_text(f'[fetch]\nallow_private = ["{bad}"]\n')
        with pytest.raises(ConfigError, match=r"fetch\.allow_private: .* is neither a network"):
            load(config)
    config.write_text('[fetch]\nallow_private = ["192.168.1.0/24", "feeds.home.lan"]\n')
    assert load(config).fetch.allow_private == ["192.168.1.0/24", "feeds.home.lan"]


def _redirect(server: TestServer, name: str, location: str) -> str:
    return server.add(f"/{name}", Route(status=302, headers={"Location": location}))


def test_redirects_to_internal_hosts_are_refused(server: TestServer, db_file: Path) -> None:
    port = server.httpd.server_address[1]
    server.add("/target.xml", rss(2, base=server.base, prefix="target"))
    same_host = _redirect(server, "same", "/target.xml")
    refused = {
        _redirect(server, "localhost", f"http://localhost:{port}/target.xml"):
            "refused localhost (",
        _redirect(server, "other-loopback", f"http://127.0.0.2:{port}/target.xml"):
            "refused 127.0.0.2: a loopback address",
        _redirect(server, "mapped", f"http://[::ffff:127.0.0.1]:{port}/target.xml"):
            "refused ::ffff:127.0.0.1: a loopback address",
        _redirect(server, "zero", f"http://0.0.0.0:{port}/target.xml"):
            "refused 0.0.0.0: an unspecified address",
    }
    store = Store(db_file)
    report = run_fetch(_settings(), store, [same_host, *refused], extract=False)
    failed = dict(report.failed)
    assert same_host not in failed and len(store.known_hashes(same_host)) == 2
    for url, reason in refused.items():
        assert failed[url].startswith(reason), failed[url]
        assert "allow_private" in failed[url]
        assert store.known_hashes(url) == {}
    # The one request that reached the target came through the redirect on the same host.
    assert server.hits["/target.xml"] == 1


def test_allow_private_lets_a_listed_network_or_host_through(server: TestServer,
                                                             db_file: Path) -> None:
    port = server.httpd.server_address[1]
    server.add("/target.xml", rss(2, base=server.base, prefix="target"))
    url = _redirect(server, "moved", f"http://localhost:{port}/target.xml")
    for allow in (["127.0.0.0/8", "::1/128"], ["localhost"]):
        store = Store(db_file)
        report = run_fetch(_settings(allow_private=allow), store, [url], extract=False)
        assert url not in dict(report.failed), (allow, report.failed)
        assert len(store.known_hashes(url)) == 2
        store.close()
        db_file.unlink()
    assert server.hits["/target.xml"] == 2


def _teasers(server: TestServer, *links: str) -> bytes:
    items = "".join(
        f"<item><title>Story {i}</title><link>{link}</link><guid>t{i}</guid>"
        f"<description>Teaser {i}.</description></item>" for i, link in enumerate(links))
    return ('<?xml version="1.0"?><rss version="2.0"><channel><title>Teasers</title>'
            f"{items}</channel></rss>").encode()


def _page(words: str) -> Route:
    body = "".join(f"<p>{words} paragraph {i} has enough words to be extracted as text.</p>"
                   for i in range(30))
    return Route(f"<html><body><article>{body}</article></body></html>".encode(),
                 headers={"Content-Type": "text/html"})


def test_teaser_links_stay_on_the_feeds_own_host(server: TestServer, db_file: Path) -> None:
    port = server.httpd.server_address[1]
    server.add("/own.html", _page("Own host"))
    server.add("/internal.html", _page("Internal secret"))
    url = server.add("/teasers.xml", _teasers(
        server, f"{server.base}/own.html", f"http://localhost:{port}/internal.html"))
    store = Store(db_file)
    report = run_fetch(_settings(), store, [url], extract=True)
    assert url not in dict(report.failed)
    texts = {a.title: store.get_article(a.id) for a in store.list_articles(limit=10)}
    own, internal = texts["Story 0"], texts["Story 1"]
    assert own is not None and "Own host paragraph 0" in own.text
    assert internal is not None and internal.text == "Teaser 1."
    assert server.hits.get("/internal.html") is None


def _get(fetcher_settings: Settings, url: str, *, trusted: str | None = None,
         resolver: object = None) -> bytes:
    async def go() -> bytes:
        kwargs = {} if resolver is None else {"resolver": resolver}
        async with Fetcher(fetcher_settings.fetch, **kwargs) as fetcher:  # type: ignore[arg-type]
            return (await fetcher.get(url, trusted=trusted)).body
    return asyncio.run(go())


def test_only_the_named_host_is_trusted(server: TestServer) -> None:
    url = server.add("/feed.xml", rss(1, base=server.base))
    with pytest.raises(FetchError, match=r"refused 127\.0\.0\.1: a loopback address"):
        _get(_settings(), url)
    with pytest.raises(FetchError, match=r"refused 127\.0\.0\.1: a loopback address"):
        _get(_settings(), url, trusted="http://localhost/feed.xml")
    assert server.hits.get("/feed.xml") is None
    assert _get(_settings(), url, trusted=server.base + "/other") == rss(1, base=server.base)


def test_the_connection_goes_to_the_address_that_was_checked(server: TestServer) -> None:
    """DNS rebinding: a name that answers one address to the check and another to the connect.
    The resolver here is this test's own DNS; the system's resolver cannot resolve
    rebind.test (the test setup refuses every name but localhost), so the request can only
    arrive if the connection used the address the transport checked."""
    port = server.httpd.server_address[1]
    server.add("/feed.xml", rss(1, base=server.base))
    answers = iter(["127.0.0.1", "10.9.8.7"])  # the second lookup would rebind
    calls: list[str] = []

    async def rebinding(host: str, port: int) -> list[str]:
        calls.append(host)
        return [next(answers)]

    url = f"http://rebind.test:{port}/feed.xml"
    with pytest.raises(FetchError, match=r"refused rebind.test \(127.0.0.1\): a loopback"):
        _get(_settings(), url, resolver=rebinding)
    assert server.hits.get("/feed.xml") is None

    answers = iter(["127.0.0.1", "10.9.8.7"])
    calls.clear()
    body = _get(_settings(allow_private=["127.0.0.1/32"]), url, resolver=rebinding)
    assert body == rss(1, base=server.base) and calls == ["rebind.test"]
    path, headers = server.requests[-1]
    assert path == "/feed.xml" and headers["Host"] == f"rebind.test:{port}"


def test_the_backend_never_connects_to_an_unchecked_host(server: TestServer) -> None:
    port = server.httpd.server_address[1]

    async def connect(pinned: dict[tuple[str, int], tuple[str, ...]]) -> None:
        token = _pinned.set(pinned)
        try:
            stream = await _PinnedBackend().connect_tcp("localhost", port, timeout=30)
            await stream.aclose()
        finally:
            _pinned.reset(token)

    with pytest.raises(httpcore.ConnectError, match="address not checked"):
        asyncio.run(connect({}))
    with pytest.raises(httpcore.ConnectError, match="address not checked"):
        asyncio.run(connect({("localhost", port + 1): ("127.0.0.1",)}))
    asyncio.run(connect({("localhost", port): ("127.0.0.1",)}))  # the checked one connects


def test_a_named_host_on_a_link_local_address_is_refused_unless_listed(
        server: TestServer) -> None:
    """A host the user names may be internal (their LAN, loopback), but not link-local: no feed
    lives there, the cloud's metadata service does (169.254.169.254), and an OPML file from a
    stranger names hosts on the user's behalf. The refusal comes before any connection; a
    listed address passes the check (checked here without connecting: it is not this
    machine)."""
    from briefing.sources.addresses import trusted_origins
    from briefing.sources.http import AddressGuard

    async def metadata(host: str, port: int) -> list[str]:
        return ["169.254.169.254"]

    port = server.httpd.server_address[1]
    url = f"http://meta.test:{port}/latest/"
    with pytest.raises(FetchError, match=r"refused meta\.test \(169\.254\.169\.254\): a "
                                         r"link-local address.*allow_private"):
        _get(_settings(), url, trusted=url, resolver=metadata)
    with pytest.raises(FetchError, match=r"refused 169\.254\.169\.254: a link-local address"):
        _get(_settings(), "http://169.254.169.254/latest/", trusted="http://169.254.169.254/")
    assert server.requests == []

    trusted = trusted_origins("http", "meta.test", port)
    listed = AddressGuard(allow=parse_allow(["169.254.169.254/32"]), resolver=metadata)
    assert asyncio.run(listed.checked("meta.test", port, trusted)) == ["169.254.169.254"]
    by_name = AddressGuard(allow=parse_allow(["meta.test"]), resolver=metadata)
    assert asyncio.run(by_name.checked("meta.test", port, frozenset())) == ["169.254.169.254"]
