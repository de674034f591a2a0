"""How story_keys stores a key and a time: a leaf module, so the migration that converted
old text keys (m005) and the story store share one definition without importing each other."""

from __future__ import annotations

import base64
import json
import struct
import zlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

_BLAKE2B: Callable[..., Any] | None = None
_INT64 = struct.Struct("<q")


def key_id(key: str) -> int:
    """A story key as story_keys stores it: 64 bits of its BLAKE2b hash. Integer rows make the
    index a third of text keys' size, and it is what a fetch writes most of; two keys sharing
    an id would only add a candidate, which matching then compares and turns down."""
    # The writer makes ~40 of these an article: the hash function is looked up once (an
    # import statement run at each call was 0.7 of its 1.2 us), and the digest read as one
    # little-endian int64, as int.from_bytes(..., "little", signed=True) reads it.
    blake2b = _BLAKE2B or _blake2b()
    return int(_INT64.unpack(blake2b(key.encode(), digest_size=8).digest())[0])


def _blake2b() -> Callable[..., Any]:
    # Imported at first use: hashlib loads OpenSSL (~2 ms), and the reading room's start-up,
    # which imports this module through the store, never makes a key.
    global _BLAKE2B
    from hashlib import blake2b

    _BLAKE2B = blake2b
    return blake2b


UNKNOWN_TIME = -(2**62)  # an unknown publication time, and the open start of a window
OPEN_END = 2**62  # the open end of a window


def epoch(stamp: str) -> int:
    """A UTC stamp ("2026-06-01T08:00:00", as briefing.stories makes them) as story_keys
    stores it: seconds since 1970; "" (unknown) as UNKNOWN_TIME."""
    if not stamp:
        return UNKNOWN_TIME
    return int(datetime.fromisoformat(stamp).replace(tzinfo=UTC).timestamp())


def decode_signature(stored: str | bytes) -> dict[str, Any]:
    """A story_articles signature as JSON data: deflated bytes (briefing.signatures'
    `Signature.stored`), or text as rows written before were."""
    decoded: dict[str, Any] = json.loads(
        zlib.decompress(stored) if isinstance(stored, bytes) else stored)
    return decoded


def band_keys(minhash: Sequence[int], bands: int, rows: int) -> list[str]:
    """A MinHash's band keys as story_keys indexes them: band b is the values b, b + bands,
    b + 2 * bands, ... (`rows` of them), hashed; none for a text too short to have a MinHash."""
    if not minhash:
        return []
    return [f"h:{b}:{zlib.crc32(repr(tuple(minhash[b::bands][:rows])).encode()):08x}"
            for b in range(bands)]


def stored_minhash(data: dict[str, Any]) -> tuple[int, ...]:
    """The MinHash of a decoded signature (`decode_signature`): version 2 keeps it as base64 of
    little-endian 32-bit values, version 1 as a list."""
    if data.get("v") == 2:
        raw = base64.b64decode(data["minhash"])
        return struct.unpack(f"<{len(raw) // 4}I", raw[:len(raw) // 4 * 4])
    return tuple(int(x) for x in data.get("minhash", []))
