"""Which Unicode encoding a body is in when its Content-Type or a byte order mark says UTF-16
or UTF-32: nothing else in such a body can say so (its own declaration is in it)."""

from __future__ import annotations

import re

_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*(utf-?(?:16|32)(?:-?[bl]e)?)", re.IGNORECASE)


# UTF-32's marks first: little-endian UTF-32's begins with UTF-16's.
_MARKS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
          (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def declared_wide_codec(body: bytes, content_type: str) -> tuple[str, int] | None:
    """The codec, with its byte order, of a body its Content-Type says is UTF-16 or UTF-32,
    and the length of its byte order mark (0 without one); None for any other charset, or
    a body that is not what the header says."""
    m = _CHARSET.search(content_type or "")
    if m is None:
        return None
    name = m.group(1).lower().replace("-", "")
    wide = 4 if "32" in name else 2
    for mark, codec in _MARKS:
        if len(mark) == wide and body.startswith(mark):
            return codec, wide
    head = body[:64]
    if head.count(0) < len(head) // 4:
        # Markup in UTF-16 is mostly zero bytes; a body without them is not what the header
        # says (a server's wrong default): left to the page's own declaration, as before.
        return None
    if name.endswith(("le", "be")):
        little = name.endswith("le")
    else:  # the order from the bytes: markup is mostly ASCII, its zero bytes say which half
        little = head[wide - 1::wide].count(0) > head[0::wide].count(0)
    return f"utf-{wide * 8}-{'le' if little else 'be'}", 0


def marked_wide_codec(body: bytes) -> tuple[str, int] | None:
    """The codec of a body that starts with a UTF-16 or UTF-32 byte order mark, and the
    mark's length; None without one."""
    for mark, codec in _MARKS:
        if body.startswith(mark):
            return codec, len(mark)
    return None
