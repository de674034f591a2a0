"""URL canonicalisation and stable article ids."""

from __future__ import annotations

import hashlib
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
