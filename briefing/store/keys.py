"""How story_keys stores a key and a time: a leaf module, so the migration that converted
old text keys (m005) and the story store share one definition without importing each other."""

from __future__ import annotations

import base64
import json
import math
import struct
import zlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeGuard

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
    """A story_articles signature as JSON data in the shape of version 2 (`Signature.as_json`):
    packed bytes (version 3, `Signature.stored`), deflated JSON bytes, or JSON text as rows
    written before were."""
    if is_packed(stored):
        return _unpacked(stored)
    decoded: dict[str, Any] = json.loads(
        zlib.decompress(stored) if isinstance(stored, bytes) else stored)
    return decoded


# Version 3 of a stored signature (briefing.signatures writes it): the first byte PACKED (a
# deflated JSON row starts 0x78, a text row is str); the counts (_PACKED_HEAD); the MinHash
# (uint32: random bits, which deflate does not shrink, and base64 grew by a third); then one
# deflated stream of, first, what matching reads of a candidate: every figure's value
# (float64), grouped by its key (kind, unit and 1% bucket, as the match form has them) in the
# keys' first-seen order, each key's count of values, for each distinct key with a figure of
# weight 0.5 or more (the match form's probes) its key's number and the place of that
# figure's value, each value's weight (PACKED_WEIGHTS), the keys without their bucket (which
# is the values') and the names, NUL-separated UTF-8; and after it the JSON of what only flags
# read (each figure's text and sentence context, with the other figures' keys there by
# number, and the source's name). Matching a candidate (`signatures.Match.from_stored`) then
# inflates only the first part and parses no JSON: it decoded the whole signature, ~0.05-0.1
# ms a candidate on the one thread that writes the database, in a cron cycle's fetch for ~2
# candidates of every new article. No bigger than version 2 (deflated JSON).
# Two forms: PACKED counts in bytes, the rare WIDE (a count past 255) in 16 bits.
PACKED, WIDE = b"\x03", b"\x04"
PACKED_WEIGHTS = (0.25, 0.5, 1.0, 1.5)  # what signatures._weight gives
# The head: MinHash values, keys, values, probes, names, bytes of strings; the numbers' type.
_FORMS = {PACKED: (struct.Struct("<BBBBBH"), "B", 1), WIDE: (struct.Struct("<HHHHHH"), "H", 2)}
_STEP = math.log1p(0.01)  # signatures.TOLERANCE's: a key's bucket is round(log(value) / _STEP)


def bucket_of(value: float) -> int:
    """A figure's 1% bucket, the last part of its key (signatures.Fig.bucket)."""
    return round(math.log(value) / _STEP)


def pack_signature(minhash: bytes, prefixes: Sequence[str], values: Sequence[float],
                   counts: Sequence[int], weights: Sequence[int],
                   probes: Sequence[tuple[int, int]], names: Sequence[str], rest: bytes
                   ) -> bytes | None:
    """Version 3 (see PACKED) of these parts: each key without its bucket ("f:money:USD:"),
    each value's weight number, `probes` as (key number, value place); None when the keys and
    names together pass the head's 16 bits. The caller checks that the strings hold no NUL,
    that the keys' buckets are their values' and the counts fit 16 bits."""
    strings = "\0".join((*prefixes, *names)).encode()
    if len(strings) >= 2**16:
        return None
    counted = (len(minhash) // 4, len(prefixes), len(values), len(probes), len(names))
    form = PACKED if max(*counted, len(values)) < 256 else WIDE
    head, number, _size = _FORMS[form]
    first = struct.pack(f"<{len(values)}d{len(counts) + 2 * len(probes)}{number}{len(values)}B",
                        *values, *counts, *(p[0] for p in probes), *(p[1] for p in probes),
                        *weights)
    return b"".join((form, head.pack(*counted, len(strings)), minhash,
                     deflate(first + strings + rest)))


def deflate(data: bytes) -> bytes:
    """`zlib.compress(data, 6)` with deflate's tables sized to `data`: the same stream (and
    zlib.decompress reads it), for less work. zlib.compress sizes them for any input (memLevel
    8: a 64 KB hash table cleared for each call, a 16,384-symbol buffer), and a signature's
    ~0.5-1.6 KB cost ~230-280K instructions a call (cachegrind), ~50K of them that clearing.
    The buffer of memLevel m holds 2**(m + 6) - 1 symbols, each at least a byte of input:
    sized past the input, the stream stays one block, as zlib.compress makes it; only the
    hash table is smaller (2**(m + 7) entries), and its collisions only add match candidates
    (on the bench's 800 signatures the bytes are identical; the tests compare sizes)."""
    level = _MEM_LEVEL_MIN
    while level < 8 and len(data) >= 1 << (level + 6):
        level += 1
    made = zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS, level)
    return made.compress(data) + made.flush()


_MEM_LEVEL_MIN = 4  # below it, the bench's signatures deflate 2-7% bigger (a smaller hash table)


def is_packed(stored: object) -> TypeGuard[bytes]:
    """Whether a story_articles signature is version 3 (see PACKED)."""
    return isinstance(stored, bytes) and stored[:1] in _FORMS


Packed = tuple[bytes, tuple[float, ...], tuple[int, ...], tuple[int, ...], tuple[int, ...],
               bytes, list[str], list[str], bytes]


def packed_parts(stored: bytes, *, rest: bool = True) -> Packed:
    """The parts `pack_signature` packed: MinHash bytes, values, each key's count of values,
    the probes' key numbers and value places, each value's weight number, keys, names, and the
    JSON rest
    (b"" without `rest`: then only the part before it is inflated). ValueError when `stored`
    is not one whole (a damaged file)."""
    try:
        head, number, width = _FORMS[stored[:1]]
        n_hash, n_keys, n_values, n_probes, n_names, n_strings = head.unpack_from(stored, 1)
        at = 1 + head.size
        minhash = stored[at:at + 4 * n_hash]
        at += 4 * n_hash
        n_ints = n_keys + 2 * n_probes
        size = 9 * n_values + width * n_ints
        if rest:
            raw = zlib.decompress(memoryview(stored)[at:])
        else:
            raw = zlib.decompressobj().decompress(memoryview(stored)[at:], size + n_strings)
        values = struct.unpack_from(f"<{n_values}d", raw)
        ints = struct.unpack_from(f"<{n_ints}{number}", raw, 8 * n_values)
        weights = raw[size - n_values:size]
        strings = raw[size:size + n_strings].decode().split("\0") if n_keys + n_names else []
    except (KeyError, zlib.error, struct.error, UnicodeDecodeError) as exc:
        raise ValueError(f"a damaged story signature ({exc})") from exc
    counts = ints[:n_keys]
    if (len(minhash) != 4 * n_hash or len(raw) < size + n_strings or sum(counts) != n_values
            or len(strings) != n_keys + n_names or 0 in counts):
        raise ValueError("a damaged story signature (its parts do not add up)")
    try:
        keys = []
        at = 0
        for prefix, n in zip(strings, counts, strict=False):
            if prefix[-1:] != ":":
                raise ValueError("a damaged story signature (a key without its colon)")
            keys.append(prefix + str(bucket_of(values[at])))
            at += n
    except (ValueError, OverflowError) as exc:  # a value not above 0, or not finite
        raise ValueError(f"a damaged story signature ({exc})") from exc
    return (minhash, values, counts, ints[n_keys:n_keys + n_probes], ints[n_keys + n_probes:],
            weights, keys, strings[n_keys:], raw[size + n_strings:] if rest else b"")


def _unpacked(stored: bytes) -> dict[str, Any]:
    """Version 3 as version 2's JSON data (what Signature.from_json and the migrations read)."""
    minhash, values, counts, _keys, _places, weights, keys, names, rest = packed_parts(stored)
    try:
        data = json.loads(rest)
        key_of = [key for key, n in zip(keys, counts, strict=True) for _ in range(n)]
        figs: list[list[Any]] = []
        # Rows without a place when each figure's value is the next one (most articles).
        for row in data["figs"]:
            place, text, words, others = row if len(row) == 4 else (len(figs), *row)
            kind, tail = key_of[place][2:].split(":", 1)
            figs.append([kind, tail.rsplit(":", 1)[0], values[place], text,
                         PACKED_WEIGHTS[weights[place]], words,
                         [keys[k] if isinstance(k, int) else k for k in others]])
        return {"v": 2, "words": data["words"], "figs": figs, "names": names,
                "name": data["name"], "minhash": base64.b64encode(minhash).decode("ascii")}
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise ValueError(f"a damaged story signature ({exc})") from exc


def band_keys(minhash: Sequence[int], bands: int, rows: int) -> list[str]:
    """A MinHash's band keys as story_keys indexes them: band b is the values b, b + bands,
    b + 2 * bands, ... (`rows` of them), hashed; none for a text too short to have a MinHash."""
    if not minhash:
        return []
    values = tuple(minhash)
    span = bands * rows
    if rows >= 2 and len(values) >= span and all(type(v) is int for v in values[:span]):
        # The repr of each band's tuple of ints, formatted at once: a worker makes these
        # for every article, and repr of a tuple was most of their cost.
        shape = b"(" + b", ".join([b"%d"] * rows) + b")"
        return [f"h:{b}:{zlib.crc32(shape % values[b:b + span:bands]):08x}"
                for b in range(bands)]
    return [f"h:{b}:{zlib.crc32(repr(tuple(minhash[b::bands][:rows])).encode()):08x}"
            for b in range(bands)]


def stored_minhash(data: dict[str, Any]) -> tuple[int, ...]:
    """The MinHash of a decoded signature (`decode_signature`): version 2 keeps it as base64 of
    little-endian 32-bit values, version 1 as a list."""
    if data.get("v") == 2:
        raw = base64.b64decode(data["minhash"])
        return struct.unpack(f"<{len(raw) // 4}I", raw[:len(raw) // 4 * 4])
    return tuple(int(x) for x in data.get("minhash", []))
