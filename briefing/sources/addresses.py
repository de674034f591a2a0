"""Which addresses a fetch may reach: the rules, without any network.

A feed is a stranger's document: its redirects and teaser links could point the fetcher at the
cloud metadata service (169.254.169.254), a router's admin page or a database on loopback, and
the reply would be stored as an article for anyone with the database to read. So every address
a name resolves to is checked, on every hop, unless the user chose that host: a feed URL they
named (and its redirects and teaser links on that same host), or an entry of
`[fetch] allow_private`.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_DEFAULT_PORTS = {"http": 80, "https": 443}
# A host name as DNS spells it (IDNs arrive here already in their xn-- form).
_HOST_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.?)+$")


def not_public(address: str) -> str | None:
    """Why `address` is no place a stranger's link may send us, or None when it is public.

    IPv4 wrapped in IPv6 (::ffff:127.0.0.1, 6to4, NAT64's 64:ff9b::) is judged by the IPv4
    address inside, since that is where the packets end up."""
    try:
        ip: IPAddress = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        inner = ip.ipv4_mapped or ip.sixtofour or _nat64(ip)
        if inner is not None:
            ip = inner
    for test, reason in (("is_unspecified", "unspecified"), ("is_loopback", "loopback"),
                         ("is_link_local", "link-local"), ("is_multicast", "multicast"),
                         ("is_reserved", "reserved"), ("is_private", "private")):
        if getattr(ip, test):
            return f"{reason} address"
    if not ip.is_global:  # shared (100.64/10), documentation ranges and the like
        return "non-public address"
    return None


def _nat64(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip in ipaddress.IPv6Network("64:ff9b::/96"):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


@dataclass(frozen=True)
class AllowList:
    """`[fetch] allow_private`: networks and host names the user lets us reach."""

    networks: tuple[IPNetwork, ...] = ()
    hosts: frozenset[str] = frozenset()

    def allows_host(self, host: str) -> bool:
        return host.lower().rstrip(".") in self.hosts

    def allows_address(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return False
        return any(ip in net for net in self.networks if net.version == ip.version)


def parse_allow(entries: Iterable[str]) -> AllowList:
    """The allow list from config strings; a bad entry is a ValueError naming it."""
    networks: list[IPNetwork] = []
    hosts: set[str] = set()
    for entry in entries:
        value = entry.strip().lower()
        try:
            networks.append(ipaddress.ip_network(value, strict=False))
            continue
        except ValueError:
            pass
        written = value
        if not value.isascii():  # a name in its own letters (bücher.lan): as DNS spells it
            with contextlib.suppress(UnicodeError):  # else refused below, as it is written
                value = value.encode("idna").decode("ascii")
        if "/" in value or ":" in value or not _HOST_NAME.match(value) or value.replace(
                ".", "").isdigit():
            shown = json.dumps(entry if len(entry) <= 80 else entry[:76] + "...",
                               ensure_ascii=False)
            raise ValueError(f"fetch.allow_private: {shown} is neither a network "
                             "(like 192.168.1.0/24) nor a host name (like feeds.home.lan)")
        hosts.add(value.rstrip("."))
        hosts.add(written.rstrip("."))  # and as a URL may write it
    return AllowList(tuple(networks), frozenset(hosts))


def origin(scheme: str, host: str, port: int | None) -> tuple[str, int]:
    """(host, port) as trust compares them: lower case, the scheme's port when none is given."""
    return host.lower().rstrip("."), port or _DEFAULT_PORTS.get(scheme.lower(), 0)


def trusted_origins(scheme: str, host: str, port: int | None) -> frozenset[tuple[str, int]]:
    """Where a feed URL the user named may lead without the address rules: the same host, on
    the port named or the web's own ports (an http feed that moves to https stays trusted),
    never another host that merely resolves to the same place."""
    name, named_port = origin(scheme, host, port)
    return frozenset({(name, named_port), (name, 80), (name, 443)})
