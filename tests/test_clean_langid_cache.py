"""The unpacked language model's cache (clean.langid_cache): a model mapped from it gives the
wheel's scores to the bit, and a cache that is missing, truncated, damaged, of another model
or not writable costs only the unpacking (at most one log line, never an exception)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from array import array
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from briefing.clean import langid_cache
from briefing.clean.langid_batch import BatchClassifier
from tests.test_clean_langid_batch import _texts

LOGGER = "briefing.clean.langid_cache"


def _wheel_model() -> Path:
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    return Path(MODEL_DIR / MODEL_FILE)


@pytest.fixture(scope="module")
def fresh() -> Any:
    """The model as py3langid unpacks it from its wheel, with no cache anywhere."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE)


@pytest.fixture(scope="module")
def cache_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache written once by `load_identifier`, for the tests that read it."""
    path = tmp_path_factory.mktemp("langid") / "langid-model.bin"
    langid_cache.load_identifier(path)
    assert path.is_file()
    return path


def _mapped(path: Path) -> Any:
    found = langid_cache.read(path, langid_cache.model_key(_wheel_model()))
    assert found is not None
    return found


def test_a_mapped_model_scores_as_the_wheel_model(fresh: Any, cache_file: Path) -> None:
    mapped = _mapped(cache_file)
    # Mapped, not copied: the big tables are views of the file.
    assert isinstance(mapped.tk_nextmove, memoryview)
    assert not mapped.nb_ptc.flags.owndata and not mapped.nb_ptc.flags.writeable
    assert mapped.nb_classes == fresh.nb_classes
    texts = _texts()
    # py3langid's own byte-by-byte walk over the mapped tables.
    for text in texts:
        got, want = mapped._decide(text), fresh._decide(text)
        assert got.dtype == want.dtype and got.tobytes() == want.tobytes(), text
    assert [mapped.classify(t) for t in texts] == [fresh.classify(t) for t in texts]
    # The batch walk (clean.langid_batch), which reads the same tables as numpy arrays.
    batch_mapped = BatchClassifier.for_model(mapped, _wheel_model())
    batch_fresh = BatchClassifier.for_model(fresh, _wheel_model())
    if batch_fresh is None:
        pytest.skip("py3langid ships a model the batch walk was not proved for")
    assert batch_mapped is not None
    for lo in range(0, len(texts), 13):
        chunk = texts[lo:lo + 13]
        for got, want in zip(batch_mapped.scores(chunk), batch_fresh.scores(chunk),
                             strict=True):
            assert got.tobytes() == want.tobytes()
    assert batch_mapped.classify(texts) == batch_fresh.classify(texts)


def test_the_second_load_maps_the_file_it_wrote(tmp_path: Path,
                                                caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "cache" / "langid-model.bin"
    path.parent.mkdir()
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        first = langid_cache.load_identifier(path)
        written = path.stat()
        second = langid_cache.load_identifier(path)
    assert not caplog.records  # a missing cache is the normal first run: nothing said
    assert isinstance(first.tk_nextmove, array)  # unpacked
    assert isinstance(second.tk_nextmove, memoryview)  # mapped
    assert path.stat().st_mtime_ns == written.st_mtime_ns
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left


def _truncated(data: bytes) -> bytes:
    return data[:len(data) // 2]


def _flipped(data: bytes) -> bytes:
    out = bytearray(data)
    out[len(out) - 1000] ^= 0x40  # in the DFA tables, far from the header
    return bytes(out)


def _header_only(data: bytes) -> bytes:
    return data[:200]


def _other_key(data: bytes) -> bytes:
    # The same layout under another py3langid version's key: a different model, as far as
    # this cache can know.
    return data.replace(b'"key": "py3langid ', b'"key": "py3langid-', 1)


@pytest.mark.parametrize("damage", [_truncated, _flipped, _header_only, _other_key,
                                    lambda data: b"", lambda data: b"\0" * 5000,
                                    lambda data: langid_cache.MAGIC + b"\xff" * 8 + b"{}"])
def test_an_unusable_cache_falls_back_and_is_written_again(
        damage: Any, fresh: Any, cache_file: Path, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "langid-model.bin"
    path.write_bytes(damage(cache_file.read_bytes()))
    texts = _texts()[:300]
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        ident = langid_cache.load_identifier(path)
    assert len(caplog.records) == 1
    assert "unusable" in caplog.records[0].getMessage()
    assert [ident.classify(t) for t in texts] == [fresh.classify(t) for t in texts]
    # Rewritten whole: the next run maps it.
    assert path.read_bytes() == cache_file.read_bytes()
    assert isinstance(_mapped(path).tk_nextmove, memoryview)


def test_a_cache_that_cannot_be_written_costs_only_the_unpacking(
        fresh: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    with caplog.at_level(logging.INFO, logger=LOGGER):
        ident = langid_cache.load_identifier(blocker / "langid-model.bin")
    assert not caplog.records  # said at debug level only: it would repeat every run
    texts = _texts()[:100]
    assert [ident.classify(t) for t in texts] == [fresh.classify(t) for t in texts]
    assert blocker.read_text() == "a file where the cache folder should be"


def test_language_detection_without_a_usable_cache_folder(tmp_path: Path) -> None:
    """A fresh process whose cache folder cannot be made still detects languages, quietly."""
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    code = ("from briefing.clean import language; "
            "print(language.detect('The company said on Monday that profits rose by a third "
            "in the quarter, helped by strong demand.'), language._cache_file())")
    env = {**os.environ, "BRIEFING_CACHE": str(blocker / "cache")}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["en", "None"]
    assert done.stderr == ""


def test_the_session_cache_is_not_the_users(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests run with BRIEFING_CACHE in a temporary folder (conftest), so the user's cache is
    never read, written or replaced by them."""
    from briefing.clean.language import _cache_file

    cache = _cache_file()
    assert cache is not None
    assert tmp_path_factory.getbasetemp() in cache.parents
    assert os.environ["BRIEFING_CACHE"] == str(cache.parent)


def test_cached_arrays_keep_the_wheel_dtypes(fresh: Any, cache_file: Path) -> None:
    mapped = _mapped(cache_file)
    assert mapped.nb_ptc.dtype == fresh.nb_ptc.dtype and mapped.nb_ptc.shape == fresh.nb_ptc.shape
    assert np.array_equal(mapped.nb_ptc.view(np.uint16), fresh.nb_ptc.view(np.uint16))
    assert mapped.nb_pc.dtype == fresh.nb_pc.dtype
    assert mapped.nb_pc.tobytes() == fresh.nb_pc.tobytes()
    assert mapped.tk_nextmove.itemsize == fresh.tk_nextmove.itemsize
    assert bytes(mapped.tk_nextmove) == fresh.tk_nextmove.tobytes()
    assert list(mapped.tk_row) == list(fresh.tk_row)
    assert mapped.tk_output == fresh.tk_output


def test_the_key_is_the_model_not_where_or_when_it_was_installed(tmp_path: Path) -> None:
    """Two installs of one release share the cache; another model gets its own arrays."""
    one, two, other = tmp_path / "one.npz.xz", tmp_path / "two.npz.xz", tmp_path / "x.npz.xz"
    data = _wheel_model().read_bytes()
    one.write_bytes(data)
    two.write_bytes(data)
    os.utime(two, (1_000_000, 1_000_000))
    other.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    assert langid_cache.model_key(one) == langid_cache.model_key(two)
    assert langid_cache.model_key(one) == langid_cache.model_key(_wheel_model())
    assert langid_cache.model_key(other) != langid_cache.model_key(one)


def test_a_temp_file_left_by_a_killed_run_goes_with_the_next_write(tmp_path: Path) -> None:
    # A run killed while writing the cache left its 68 MB temp file; the next run to write the
    # cache removes it, but not one another run may be writing right now.
    old = tmp_path / ".langid-dead.tmp"
    young = tmp_path / ".langid-busy.tmp"
    mine = tmp_path / "langid-notes.tmp"  # not a name the cache writes
    for f in (old, young, mine):
        f.write_bytes(b"half")
    hours_ago = old.stat().st_mtime - 2 * langid_cache.STALE_TEMP_S
    os.utime(old, (hours_ago, hours_ago))
    os.utime(mine, (hours_ago, hours_ago))
    langid_cache.load_identifier(tmp_path / "langid-model.bin")
    assert (tmp_path / "langid-model.bin").is_file()
    assert not old.exists()
    assert young.exists() and mine.exists()
