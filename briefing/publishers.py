"""Which publisher a copy comes from: the names stories, flags and briefing posts use."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from briefing.models import Article, StoryFlag, StoryMember

_WORD = re.compile(r"[^\W_]+")

# Publishers whose own site is the original: a copy on one of these domains is preferred as
# a story's best source. Domain -> the hashtag a briefing post gives it (seed 004: "#FT").
KNOWN_PUBLISHERS: dict[str, str] = {
    "ft.com": "FT", "reuters.com": "Reuters", "bloomberg.com": "Bloomberg", "wsj.com": "WSJ",
    "nytimes.com": "NYT", "washingtonpost.com": "WashingtonPost", "apnews.com": "AP",
    "bbc.co.uk": "BBC", "bbc.com": "BBC", "theguardian.com": "Guardian", "economist.com":
    "Economist", "cnbc.com": "CNBC", "nikkei.com": "Nikkei", "scmp.com": "SCMP",
    "theinformation.com": "TheInformation", "techcrunch.com": "TechCrunch", "theverge.com":
    "TheVerge", "arstechnica.com": "ArsTechnica", "axios.com": "Axios", "politico.com":
    "Politico", "lemonde.fr": "LeMonde", "spiegel.de": "Spiegel", "aljazeera.com": "AlJazeera",
    "vnexpress.net": "VnExpress", "tuoitre.vn": "TuoiTre", "thanhnien.vn": "ThanhNien",
    "vietnamnet.vn": "VietNamNet", "nhandan.vn": "NhanDan", "vir.com.vn": "VIR",
}


def host_of(url: str) -> str:
    # The host is read from the scheme and authority alone, which an http(s) URL ends at the
    # first "/", "?" or "#" after its "//": that part is looked up, as a feed's articles
    # share it. urlsplit of every article's URL was a tenth of a worker's story signature.
    if url.startswith(("https://", "http://")):
        start = url.index("//") + 2
        end = len(url)
        for stop in "/?#":
            at = url.find(stop, start, end)
            if at != -1:
                end = at
        return _origin_host(url[:end])
    return _split_host(url)


def _split_host(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:  # an unclosed IPv6 bracket, stored before links were checked
        return ""
    if parts.scheme not in ("http", "https"):
        return ""
    return (parts.hostname or "").removeprefix("www.")


_origin_host = lru_cache(maxsize=4096)(_split_host)


def publisher(host: str) -> str | None:
    """The hashtag of a known publisher for a host (or a subdomain of one)."""
    while host:
        if host in KNOWN_PUBLISHERS:
            return KNOWN_PUBLISHERS[host]
        host = host.partition(".")[2]
    return None


def _file_path(url: str) -> str:
    try:
        return unquote(urlsplit(url).path)
    except ValueError:  # "file://[x/a.txt"
        return url.removeprefix("file:")


def source_name(art: Article | StoryMember) -> str:
    """A short name for an article's source in flags: its web domain, else the file name."""
    host = host_of(art.url)
    if host:
        return host
    if art.url.startswith("file:"):
        return PurePosixPath(_file_path(art.url)).name
    return art.source_title or art.source


def feed_name(source: str, title: str = "") -> str:
    """A feed's one name wherever a story lists its copies (and in the sidebar): `title`,
    which the store gives as the user's rename, else the feed's own title; else the
    feed's host; else a local source's file or folder name."""
    if title:
        return title
    host = host_of(source)
    if host:
        return host
    path = _file_path(source) if source.startswith("file:") else source
    return PurePosixPath(path).name or source


def copy_name(m: StoryMember) -> str:
    """How a story names one of its copies: its feed's name (`m.source_title`, as the store
    gives it: the user's rename or the feed's title), else the feed's host; a file from a
    folder without a name of its own keeps its own (its web host, else its file name)."""
    return m.source_title or host_of(m.source) or source_name(m)


def flag_text(kind: str, detail: dict[str, Any]) -> str:
    """A story flag's line from its detail: both stores of the text (when it is made, and
    when a source's name is shown as the user renamed it) say it the same way."""
    a, b = detail["a"], detail["b"]
    if kind == "changed":
        return f"{b['source']}: {a['text']} changed to {b['text']} since the first fetch"
    return f"{a['text']} in {a['source']}, {b['text']} in {b['source']}"


def renamed_flag(flag: StoryFlag, names: dict[str, str]) -> StoryFlag:
    """`flag` naming its copies' sources by `names` (article id -> the feed's name), so a
    flag and the list of copies above it name one feed one way; a flag about an article
    not in `names` is kept as it was stored."""
    detail = flag.detail
    if not all(isinstance(detail.get(k), dict) and detail[k].get("article") in names
               for k in ("a", "b")):
        return flag
    new = {**detail, **{k: {**detail[k], "source": names[detail[k]["article"]]}
                        for k in ("a", "b")}}
    if flag.kind not in ("changed", "disagreement"):
        return replace(flag, detail=new)
    return replace(flag, text=flag_text(flag.kind, new), detail=new)


def hashtag(art: Article | StoryMember, tags: Sequence[str] = ()) -> str:
    """The source's hashtag: a known publisher's; for a loose file, one it came with; else one
    made of the source's name ("The Meridian Post: World" -> "TheMeridianPostWorld"). Letters
    and digits only, so it reads as one hashtag and needs no escaping in Markdown."""
    tag = publisher(host_of(art.url))
    if tag:
        return tag
    # A loose file's source is its folder, named after it: the tags it came with (a post's own
    # hashtags) name the source better. A feed item's source is the feed, whose title does.
    loose = not art.source_title or PurePosixPath(art.source).name == art.source_title
    own = "".join(_WORD.findall(tags[0])) if loose and tags else ""
    if own:
        return own
    name = art.source_title
    if loose and _a_home(art.source):
        name = ""  # a file in ~ would publish the user's name as the post's hashtag
    words = _WORD.findall(name or host_of(art.url).split(".")[0] or "source")
    return "".join(w[:1].upper() + w[1:] for w in words) or "source"


def _a_home(folder: str) -> bool:
    """Whether `folder` is someone's home folder, whose name is no publisher's."""
    path = PurePosixPath(folder)
    return (str(path.parent) in ("/home", "/Users", "/usr/home") or str(path) in ("/root", "/")
            or str(path) == os.path.expanduser("~"))
