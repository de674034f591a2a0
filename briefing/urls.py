"""URL canonicalisation and stable article ids."""

from __future__ import annotations

import hashlib
import ipaddress
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

# Query parameters that only track the click, never select the content. Removing them lets the
# same article shared through a newsletter, a social post and the feed dedupe to one id.
_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "piwik_", "hsa_", "oly_", "vero_")
_TRACKING_NAMES = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mkt_tok", "_hsenc", "_hsmi",
     "ref_src", "ref_url", "cmpid", "ncid", "sr_share", "spm", "at_medium", "at_campaign", "ito"}
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def entry_link(link: str, base: str) -> str:
    """An item's link as stored: joined to the feed's URL when relative, "" when urllib cannot
    read it ("http://[oops/x", an unclosed IPv6 bracket). Kept, such a link raised
    ValueError wherever its host was read: tagging failed for the whole feed, and `stories`,
    `brief` and the reader's `o` ended in a traceback on every run after."""
    if link and base and "://" not in link:
        try:
            link = urljoin(base, link)
        except ValueError:
            return ""
    try:
        urlsplit(link)
    except ValueError:
        return ""
    return link


def is_http_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


# A host name's characters, ASCII letters, digits, '-' and '_' (found in real hosts though
# not in the DNS rules), label by label; an IDN is checked in its ASCII form.
_LABEL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?")


def address_problem(url: str) -> str:
    """Why `url` is no http(s) address a fetch could reach, or "" when it is one: a valid
    URL, http or https, a host (a name of valid labels, an IPv4 address or a bracketed IPv6
    one) and a port from 1 to 65535. What the user typed is said back, never raised."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:  # "http://[::1": an unclosed bracket; ":99999", ":x"
        return f"not a valid URL ({str(exc)[:1].lower()}{str(exc)[1:100]})"
    if parts.scheme.lower() not in ("http", "https"):
        return "only http and https URLs are fetched"
    host = parts.hostname or ""
    if not host:
        return "no host name in the URL"
    if port == 0:
        return "port 0: a port is 1 to 65535"
    if "[" in parts.netloc:
        try:
            ipaddress.IPv6Address(host.split("%")[0])
        except ValueError:
            return f"not a valid IPv6 address: {host[:100]}"
        return ""
    try:
        ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return f"not a valid host name: {host[:100]}"
    labels = ascii_host.removesuffix(".").split(".")
    if not all(_LABEL.fullmatch(label) for label in labels):
        return f"not a valid host name: {host[:100]}"
    return ""


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, drop default ports, fragments and tracking parameters,
    sort the remaining query. Non-URLs come back stripped and otherwise unchanged."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    if not parts.scheme or not parts.netloc:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    if parts.username:
        host = f"{parts.username}@{host}"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(_TRACKING_PREFIXES) and k.lower() not in _TRACKING_NAMES
    ]
    query.sort()
    path = parts.path or "/"
    return urlunsplit((scheme, host, path, urlencode(query), ""))


def article_id(key: str) -> str:
    """A short stable id for an article from its canonical URL or content hash."""
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
