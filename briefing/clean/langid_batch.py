"""py3langid's `classify` for several texts at once, with the same scores to the last bit.

py3langid counts a text's n-gram features by walking a DFA one byte at a time in Python, then
scores them with one numpy product; the walk is most of its cost. Its DFA is an Aho-Corasick
automaton over byte strings of at most `window` bytes, so the state after any byte is the state
reached from the start by the last `window` bytes alone. numpy can therefore take every position
of every text one byte further at once: `window` vector steps instead of one Python step per
byte. The scoring is py3langid's own expression, text by text, on the same feature indexes in
the same order (first occurrence, as its Counter has them): same floats, same argmax, same label.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

# The window holds for one model file only: tests/test_clean_langid_batch.py proves it for the
# installed model (and that it is this file). Any other model keeps py3langid's own walk.
WINDOW_BY_MODEL = {"f4f4a2c3465ca1f081541037f9cac23021d68151c2f709c55ae5eedfca522963": 6}
# Never a byte of UTF-8, and no feature contains it, so every state goes back to the start on
# it: between texts it makes one long array walk like separate texts.
RESET = 0xFF


@functools.lru_cache(maxsize=4)
def model_digest(path: Path) -> str:
    """The model file's SHA-256, once per process (the cache's key and the batch walk's
    check both ask for it)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


class BatchClassifier:
    """The vectorised walk over one py3langid identifier's own arrays (views, no copies of the
    big ones: ~2 MB of its own)."""

    def __init__(self, identifier: Any, window: int) -> None:
        from py3langid.langid import RAW_FLOOR

        self._ident = identifier
        self._window = window
        self._next = np.frombuffer(identifier.tk_nextmove, dtype=np.uint32)
        self._rowbase = np.asarray(identifier.tk_row, dtype=np.intp) << 8
        self._out = np.asarray(identifier.tk_output, dtype=np.intp)
        self._features = len(identifier.nb_ptc)
        # The model's weights are float16, and numpy widens them to float32 one at a time
        # (~1.3 ns each; a paragraph's rows are ~20,000 weights). Widening is exact, so a table
        # of all 65,536 float16 values gives the same floats at half the cost, without a float32
        # copy of the weights (57 MB).
        self._weights = identifier.nb_ptc.view(np.uint16)
        self._widen = np.arange(1 << 16, dtype=np.uint32).astype(np.uint16).view(np.float16)
        self._widen = self._widen.astype(np.float32)
        self._floor = RAW_FLOOR

    @classmethod
    def for_model(cls, identifier: Any, model_path: Path) -> BatchClassifier | None:
        """The batch classifier, or None when the model or its settings are not the ones the
        window was proved for (then py3langid's classify is the way)."""
        window = WINDOW_BY_MODEL.get(model_digest(model_path))
        # The walk reads py3langid's private parts: a release that renames any of them gets
        # its own classify, not a crash at the first paragraph.
        needed = ("_encode", "_alias_pairs", "_norm_probs", "min_confidence", "tk_nextmove",
                  "tk_row", "tk_output", "nb_ptc", "nb_pc", "nb_classes")
        if window is None or not all(hasattr(identifier, name) for name in needed):
            return None
        if identifier._norm_probs or identifier.min_confidence is not None:
            return None
        if identifier.tk_nextmove.itemsize != 4 or identifier.nb_ptc.dtype != np.float16:
            return None
        batch = cls(identifier, window)
        resets = batch._next[batch._rowbase + RESET]
        if resets.any() or batch._out[0] >= 0:
            return None
        return batch

    def _feature_runs(self, encoded: Sequence[bytes]
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The texts' features: each feature's weights (a row of the model's table, widened to
        float32), then for each text in turn, in order of first occurrence, which of those rows
        it has and how many times; and where each text's run starts and ends."""
        w = self._window
        sep = bytes((RESET,))
        buf = np.frombuffer(sep * (w - 1) + sep.join(encoded), dtype=np.uint8)
        n = len(buf)
        # Position i ends up in the state its last w bytes lead to from the start; the padding
        # gives the first positions a window of RESET bytes, which changes nothing.
        state = self._next[self._rowbase[0] + buf[: n - w + 1]]
        for lag in range(w - 2, -1, -1):
            state = self._next[self._rowbase[state] + buf[w - 1 - lag : n - lag]]
        found = self._out[state]
        # Text j runs over its bytes and the separator after it (which emits no feature).
        text_of = np.repeat(np.arange(len(encoded)), [len(e) + 1 for e in encoded])[: len(found)]
        hit = found >= 0
        keys = text_of[hit] * self._features + found[hit]
        uniq, first, counts = np.unique(keys, return_index=True, return_counts=True)
        order = np.argsort(first)
        keys, counts = uniq[order], counts[order]
        texts = keys // self._features
        bounds = np.searchsorted(texts, np.arange(len(encoded) + 1))
        features, rows = np.unique(keys - texts * self._features, return_inverse=True)
        weights = self._widen.take(self._weights.take(features, axis=0))
        return weights, rows, counts, bounds

    def scores(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Each text's class scores, as py3langid's `_decide(text)` gives them."""
        ident = self._ident
        if not texts:
            return []
        encoded = [ident._encode(t) for t in texts]
        weights, rows, counts, bounds = self._feature_runs(encoded)
        out = []
        for j in range(len(texts)):
            lo, hi = bounds[j], bounds[j + 1]
            if hi > lo:
                # py3langid's _sparse_score, on arrays of the same values, dtypes and layout.
                table = weights.take(rows[lo:hi], axis=0)
                scores = np.log1p(counts[lo:hi].astype(np.float32)) @ table + ident.nb_pc
            else:
                scores = np.full(len(ident.nb_classes), self._floor, dtype=np.float32)
            for a, b in ident._alias_pairs:
                scores[a] = max(scores[a], scores[b])
                scores[b] = self._floor
            out.append(scores)
        return out

    def classify(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """(label, score) for each text, as `identifier.classify(text)` gives them."""
        results = []
        for scores in self.scores(texts):
            best = int(scores.argmax())
            results.append((self._ident.nb_classes[best], float(scores[best])))
        return results
