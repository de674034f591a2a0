"""py3langid's model, unpacked once per install into the user's cache and mapped from there.

The wheel ships its model xz-compressed: unpacking it cost every fetch ~0.5 s of CPU in the
fork server (xz 0.5 s, np.load 0.3 s, building the identifier's lists), more than a cron run
that finds a few new items spends on them. Its arrays (68 MB) are written here uncompressed,
once, and later runs map the file read-only: loading is the header, a checksum and the small
arrays (~40 ms), and the big ones are pages of the page cache that every worker of every run
shares.

The cache is never trusted blindly: a file that is missing, truncated, of another model or
py3langid version, or whose checksum does not match, is ignored (one log line) and written
again from the wheel's model. The arrays handed to py3langid are the wheel's own values,
dtypes and shapes, so every label is the same (tests/test_clean_langid_cache.py).
"""

from __future__ import annotations

import json
import logging
import mmap
import os
import stat
import tempfile
import time
import zlib
from array import array
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

MAGIC = b"briefing-langid\n"
FORMAT = 1
_ALIGN = 64  # each array starts on a 64-byte boundary of the data region
_HEADER_MAX = 1 << 20
# The arrays, as py3langid's LanguageIdentifier holds them (see `_arrays` and `_identifier`).
_NAMES = ("ptc", "pc", "nextmove", "row", "output")
# What each may be stored as: anything else in a header is not a file this module wrote.
_DTYPES = {"ptc": {"<f2"}, "pc": {"<f4"}, "nextmove": {"<u2", "<u4", "<u8"},
           "row": {"<u2", "<u4", "<u8"}, "output": {"<i4", "<i8"}}
_TYPECODES = {2: "H", 4: "I", 8: "Q"}  # stdlib array typecodes of the unsigned DFA arrays


def model_key(model: Path) -> str:
    """What the cached arrays were made from: py3langid's version and the model file's hash.
    By content, not by path or time: two installs of one release (a venv and a pipx install)
    share the cache instead of rewriting it in turn, and an upgrade's new model replaces it.
    The hash is the one the batch walk checks anyway (langid_batch.model_digest, ~5 ms)."""
    import py3langid

    from briefing.clean.langid_batch import model_digest

    version = getattr(py3langid, "__version__", "?")
    return f"py3langid {version} sha256:{model_digest(model)}"


def load_identifier(cache_file: Path | None) -> Any:
    """py3langid's LanguageIdentifier for its bundled model: from `cache_file` when that holds
    this model's arrays intact, else from the wheel (and the cache written for the next run).
    Never raises for the cache's sake: an unusable cache only costs the unpacking."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    model = MODEL_DIR / MODEL_FILE
    if cache_file is None:
        return LanguageIdentifier.from_model_file(MODEL_FILE)
    try:
        key = model_key(model)
    except OSError:
        return LanguageIdentifier.from_model_file(MODEL_FILE)
    found = read(cache_file, key)
    if found is not None:
        return found
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
    write(cache_file, key, identifier)
    return identifier


def read(path: Path, key: str) -> Any:
    """The identifier mapped from `path`, or None when it is missing or not a sound cache of
    `key` (logged, except when simply missing)."""
    try:
        # Without waiting, and a regular file only: a FIFO put in its place blocked the open
        # for ever (in the fork server: no worker ever started, and the run never ended).
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                log.info("language model cache %s is not a regular file; unpacking the "
                         "model again", path)
                return None
            mapped = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
        finally:
            os.close(fd)
    except FileNotFoundError:
        return None
    except ValueError as exc:  # an empty file cannot be mapped
        log.info("language model cache %s unusable (%s); unpacking the model again", path, exc)
        return None
    except OSError as exc:  # not readable: said quietly, as it would be said every run
        log.debug("language model cache %s not read: %s", path, exc)
        return None
    try:
        return _identifier(_arrays(mapped, key))
    except Exception as exc:  # whatever the file holds, the wheel's model is the way out
        log.info("language model cache %s unusable (%s); unpacking the model again", path, exc)
        return None


class _Unusable(Exception):
    pass


def _arrays(mapped: mmap.mmap, key: str) -> tuple[dict[str, np.ndarray], list[str]]:
    """The arrays of a cache file as numpy views of the mapping, checked against its header
    (size, key, layout, checksum), and the class labels."""
    if mapped[:len(MAGIC)] != MAGIC:
        raise _Unusable("not a cache file")
    start = len(MAGIC) + 8
    length = int.from_bytes(mapped[len(MAGIC):start], "little")
    if not 0 < length <= _HEADER_MAX or start + length > len(mapped):
        raise _Unusable("truncated header")
    header = json.loads(mapped[start:start + length])
    if header.get("format") != FORMAT or header.get("key") != key:
        raise _Unusable("made from another model or version")
    data = _aligned(start + length)
    size = int(header["size"])
    if len(mapped) != data + size:
        raise _Unusable(f"{len(mapped)} bytes, {data + size} expected")
    view = memoryview(mapped)[data:]
    if zlib.crc32(view) != header["crc32"]:
        raise _Unusable("checksum mismatch")
    arrays = {}
    for name in _NAMES:
        dtype, shape, offset = header["arrays"][name]
        if dtype not in _DTYPES[name]:
            raise _Unusable(f"unexpected type of {name}")
        count = int(np.prod(shape, dtype=np.int64))
        if offset < 0 or offset + count * np.dtype(dtype).itemsize > size:
            raise _Unusable(f"{name} runs past the end")
        arrays[name] = np.frombuffer(view, dtype=dtype, count=count,
                                     offset=offset).reshape(shape)
    classes = header["classes"]
    if not (isinstance(classes, list) and all(isinstance(c, str) for c in classes)):
        raise _Unusable("bad class labels")
    return arrays, classes


def _identifier(found: tuple[dict[str, np.ndarray], list[str]]) -> Any:
    """A LanguageIdentifier over the mapped arrays, holding them as `from_model_file` does:
    the weights as numpy arrays, the DFA's tables as sequences of Python ints."""
    from py3langid.langid import LanguageIdentifier

    arrays, classes = found
    ptc, pc = arrays["ptc"], arrays["pc"]
    nextmove, row, output = arrays["nextmove"], arrays["row"], arrays["output"]
    if ptc.ndim != 2 or ptc.shape[1] != len(pc) or len(pc) != len(classes):
        raise _Unusable("weights and classes disagree")
    if len(row) != len(output) or not len(row):
        raise _Unusable("DFA tables disagree")
    # Every state's row lies inside the transition table and every feature inside the
    # weights: the walks index both without a check.
    if (int(row.max()) + 1) * 256 > len(nextmove) or int(nextmove.max()) >= len(row):
        raise _Unusable("DFA table out of range")
    if int(output.max()) >= len(ptc):
        raise _Unusable("feature index out of range")
    # py3langid walks the DFA one byte at a time in Python: a memoryview cast to the stdlib
    # array's typecode indexes to Python ints like the array it builds, without copying 39 MB.
    raw: Any = nextmove.data  # a memoryview; typed casts accept literal formats only
    moves = raw.cast("B").cast(_TYPECODES[nextmove.itemsize])
    return LanguageIdentifier(
        ptc, np.array(pc), list(classes), moves, output.tolist(),
        tk_row=array(_TYPECODES[row.itemsize], row.tobytes()))


def _aligned(offset: int) -> int:
    return -(-offset // _ALIGN) * _ALIGN


def write(path: Path, key: str, identifier: Any) -> None:
    """Write `identifier`'s arrays to `path` for later runs: to a temporary file beside it,
    then renamed over it, so a reader sees a whole file or none. A failure (read-only or full
    disk) is logged and left: the next run unpacks the model again."""
    try:
        arrays = {
            "ptc": np.ascontiguousarray(identifier.nb_ptc, dtype="<f2"),
            "pc": np.ascontiguousarray(identifier.nb_pc, dtype="<f4"),
            "nextmove": _unsigned(identifier.tk_nextmove),
            "row": _unsigned(identifier.tk_row),
            "output": np.asarray(identifier.tk_output, dtype="<i8"),
        }
        _write_file(path, key, arrays, list(map(str, identifier.nb_classes)))
    except Exception as exc:  # a cache that cannot be written is only a slower next run
        log.debug("language model cache %s not written: %s", path, exc)


def _unsigned(table: Any) -> np.ndarray:
    itemsize = table.itemsize
    return np.frombuffer(table, dtype=f"<u{itemsize}")


# A half-written cache older than this is a run that died while writing it (68 MB each); a
# younger one may be another run writing right now.
STALE_TEMP_S = 3600.0


def _remove_stale_temps(folder: Path) -> None:
    """Delete what runs killed mid-write left: only our own temp names, only in `folder`,
    never through a link (unlinking a link removes the link alone)."""
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if not (entry.name.startswith(".langid-") and entry.name.endswith(".tmp")):
            continue
        try:
            if now - entry.stat(follow_symlinks=False).st_mtime > STALE_TEMP_S:
                os.unlink(entry.path)
        except OSError:
            continue


def _write_file(path: Path, key: str, arrays: dict[str, np.ndarray], classes: list[str]
                ) -> None:
    offsets, offset = {}, 0
    for name in _NAMES:
        offsets[name] = offset = _aligned(offset)
        offset += arrays[name].nbytes
    size = offset
    crc = 0
    chunks: list[bytes] = []
    position = 0
    for name in _NAMES:
        pad = b"\0" * (offsets[name] - position)
        body = np.ascontiguousarray(arrays[name]).tobytes()
        crc = zlib.crc32(body, zlib.crc32(pad, crc))
        chunks += [pad, body]
        position = offsets[name] + len(body)
    layout = {name: [arrays[name].dtype.str, list(arrays[name].shape), offsets[name]]
              for name in _NAMES}
    header = json.dumps({"format": FORMAT, "key": key, "size": size, "crc32": crc,
                         "arrays": layout, "classes": classes}).encode()
    start = len(MAGIC) + 8 + len(header)
    head = MAGIC + len(header).to_bytes(8, "little") + header
    head += b"\0" * (_aligned(start) - start)
    _remove_stale_temps(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=".langid-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(head)
            for chunk in chunks:
                f.write(chunk)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
