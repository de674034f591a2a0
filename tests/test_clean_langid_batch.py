"""The batch classifier gives py3langid's own scores, and the property it rests on holds."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from briefing.clean import language
from briefing.clean.langid_batch import RESET, WINDOW_BY_MODEL, BatchClassifier, model_digest
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def identifier() -> Any:
    return language._model()


def _model_path() -> Path:
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    return Path(MODEL_DIR / MODEL_FILE)


def _names(ident: Any) -> tuple[np.ndarray, np.ndarray]:
    """Each state's depth and its shortest input from the start (packed base 256, oldest byte
    first): breadth first over all 256 bytes."""
    nxt = np.frombuffer(ident.tk_nextmove, dtype=np.uint32)
    rowbase = np.asarray(ident.tk_row, dtype=np.int64) << 8
    depth = np.full(len(rowbase), -1, np.int64)
    name = np.zeros(len(rowbase), np.int64)
    depth[0] = 0
    frontier, byte = np.array([0]), np.arange(256)
    while len(frontier):
        dst = nxt[(rowbase[frontier][:, None] + byte).ravel()].astype(np.int64)
        src, via = np.repeat(frontier, 256), np.tile(byte, len(frontier))
        new = depth[dst] < 0
        reached, first = np.unique(dst[new], return_index=True)
        depth[reached] = depth[src[new][first]] + 1
        name[reached] = name[src[new][first]] * 256 + via[new][first]
        frontier = reached
    return depth, name


def test_the_installed_model_is_the_one_proved_below(identifier: Any) -> None:
    if model_digest(_model_path()) not in WINDOW_BY_MODEL:
        # Not a failure of the app (it falls back to py3langid's own walk), but the fast path
        # is off: prove the window for the new model below and add its digest.
        pytest.skip("py3langid ships a model the batch walk was not proved for")
    assert language._batch is not None


@pytest.mark.slow
def test_model_is_a_window_automaton(identifier: Any) -> None:
    """The DFA is Aho-Corasick's: from any state, a byte leads to the state named by the longest
    suffix of (state's name + byte) that names a state. So after any input the state is the one
    named by the input's longest such suffix, which is no longer than the deepest name: the
    window. The batch walk relies on exactly this."""
    depth, name = _names(identifier)
    assert (depth >= 0).all()
    window = int(depth.max())
    assert WINDOW_BY_MODEL[model_digest(_model_path())] == window
    keys = (depth << 56) | name
    order = np.argsort(keys)
    sorted_keys = keys[order]
    assert len(np.unique(keys)) == len(keys)
    nxt = np.frombuffer(identifier.tk_nextmove, dtype=np.uint32)
    rowbase = np.asarray(identifier.tk_row, dtype=np.int64) << 8
    byte = np.arange(256, dtype=np.int64)
    for lo in range(0, len(depth), 8192):
        states = np.arange(lo, min(len(depth), lo + 8192))
        text = (name[states][:, None] * 256 + byte).ravel()
        length = np.repeat(depth[states] + 1, 256)
        want = np.zeros(len(text), np.int64)
        done = np.zeros(len(text), bool)
        for k in range(window + 1, 0, -1):
            suffix = (np.int64(k) << 56) | (text % (256 ** k))
            at = np.minimum(np.searchsorted(sorted_keys, suffix), len(keys) - 1)
            hit = ~done & (length >= k) & (sorted_keys[at] == suffix)
            want[hit] = order[at[hit]]
            done |= hit
        got = nxt[(rowbase[states][:, None] + byte).ravel()]
        assert (got == want).all()
    # The separator between texts: back to the start from anywhere, and no feature there.
    assert (nxt[rowbase + RESET] == 0).all() and identifier.tk_output[0] < 0


def _texts() -> list[str]:
    rng = random.Random(7)
    alphabet = ("abcdefghijklmnopqrstuvwxyz ÀÉàéèêçñüößøåæĐđươăâêôạảấầẩẫậắằẳẵặẹẻẽếềểễệ"
                "的一是不了人我在有他这中大来上国ЖжЯяПпривет مرحبا שלום 日本語カタカナ한국어"
                "\ud800🙂\x00\t\n,.;!?0123456789ABCDEF")
    texts = ["", " ", "A", "SHOUTED HEADLINE IN CAPITALS", "\u00ff" * 30, "e\u0301" * 40]
    texts += [ln for p in sorted(SEEDS.glob("0*.txt")) for ln in p.read_text().splitlines()]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 400)))
              for _ in range(1500)]
    texts += ["".join(chr(rng.randint(1, 0x2FFFF)) for _ in range(rng.randint(0, 80)))
              for _ in range(200)]
    return [t[:language.SAMPLE_CHARS] for t in texts]


@pytest.mark.slow
def test_scores_are_py3langid_scores_to_the_bit(identifier: Any) -> None:
    batch = BatchClassifier.for_model(identifier, _model_path())
    if batch is None:
        pytest.skip("py3langid ships a model the batch walk was not proved for")
    texts = _texts()
    for size in (1, 4, 13):
        for lo in range(0, len(texts), size):
            chunk = texts[lo:lo + size]
            for text, scores in zip(chunk, batch.scores(chunk), strict=True):
                want = identifier._decide(text)
                assert scores.dtype == want.dtype and scores.tobytes() == want.tobytes(), text
    assert batch.classify(texts[:50]) == [identifier.classify(t) for t in texts[:50]]
    assert batch.classify([]) == []


def test_other_models_take_py3langid_own_walk(identifier: Any, tmp_path: Path) -> None:
    other = tmp_path / "model.npz.xz"
    other.write_bytes(_model_path().read_bytes() + b"\0")
    assert BatchClassifier.for_model(identifier, other) is None
