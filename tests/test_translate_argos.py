"""The argos engine: a clear error without the extra; with it, a real end-to-end translation.

No PyPI package ships an Argos model, and tests never download one, so the end-to-end test
builds a tiny `.argosmodel` itself: a SentencePiece model trained on a few sentences and a
one-layer CTranslate2 Transformer written with the model-spec API. Its weights are set by hand
so that greedy decoding walks a fixed chain `<s> → ▁xin → ▁chào → </s>` whatever the input:
every attention and feed-forward output is zero, so the decoder state is the embedding of the
previous token (a one-hot), and the output projection is the permutation "token → next".
That is enough to prove the whole path: install the file, find the pair, tokenize, run
CTranslate2, detokenize, and go through the service's cache.
"""

from __future__ import annotations

import importlib.util
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from briefing.config import Settings
from briefing.models import Article, Paragraph
from briefing.store import Store
from briefing.translate.argos import NOT_INSTALLED, ArgosEngine, install_model
from briefing.translate.engines import EngineError, make_engine
from briefing.translate.service import translate_article

HAVE_ARGOS = importlib.util.find_spec("argostranslate") is not None
needs_argos = pytest.mark.skipif(
    not HAVE_ARGOS, reason="argos-translate-lt is not installed (pip install 'briefing[argos]')")

CORPUS = ["xin chào các bạn", "ByteDance plans to spend money on chips",
          "the company said it would buy chips", "xin chào thế giới"] * 5


@pytest.mark.skipif(HAVE_ARGOS, reason="argos-translate-lt is installed here")
def test_without_the_extra_the_error_says_how_to_install_it(tmp_path: Path) -> None:
    with pytest.raises(EngineError) as info:
        ArgosEngine()
    assert str(info.value) == NOT_INSTALLED == (
        "argos-translate-lt is not installed: pip install 'briefing[argos]'")
    assert info.value.fatal
    settings = Settings()
    with pytest.raises(EngineError, match="argos-translate-lt is not installed"):
        make_engine(settings, "argos")
    with pytest.raises(EngineError, match="argos-translate-lt is not installed"):
        install_model(tmp_path / "x.argosmodel")


def _sentencepiece(path: Path) -> list[str]:
    import sentencepiece as spm

    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(CORPUS), model_writer=buf, model_type="word", vocab_size=20,
        bos_id=-1, eos_id=-1, unk_id=0, minloglevel=2)
    path.write_bytes(buf.getvalue())
    sp = spm.SentencePieceProcessor(model_file=str(path))
    return [sp.id_to_piece(i) for i in range(sp.get_piece_size())]


def _ctranslate2_model(out: Path, pieces: list[str]) -> None:
    import numpy as np
    from ctranslate2.specs import transformer_spec

    vocab = ["<unk>", "<s>", "</s>", *[p for p in pieces if p != "<unk>"]]
    size = len(vocab)
    d = size + (size % 2)  # model width: one slot per token, even for the sinusoids
    spec = transformer_spec.TransformerSpec.from_config(1, 1)
    for name, value in spec.variables().items():
        if value is None:
            _set(spec, name, _zeros(name, d, size))
    emb = np.zeros((size, d), dtype=np.float32)
    emb[np.arange(size), np.arange(size)] = 10.0  # token i -> a spike in slot i
    _set(spec, "decoder/embeddings/weight", emb)
    chain = {"<s>": "▁xin", "▁xin": "▁chào", "▁chào": "</s>"}
    proj = np.zeros((size, d), dtype=np.float32)
    for i, tok in enumerate(vocab):
        proj[vocab.index(chain.get(tok, "</s>")), i] = 10.0
    _set(spec, "decoder/projection/weight", proj)
    spec.register_source_vocabulary(vocab)
    spec.register_target_vocabulary(vocab)
    spec.validate()
    spec.optimize(quantization=None)
    out.mkdir(parents=True)
    spec.save(str(out))


def _zeros(name: str, d: int, size: int) -> Any:
    import numpy as np

    if name.endswith("gamma"):
        return np.ones((d,), dtype=np.float32)
    if name.endswith("beta"):
        return np.zeros((d,), dtype=np.float32)
    if "embeddings" in name:
        return np.zeros((size, d), dtype=np.float32)
    if name.endswith("projection/weight"):
        return np.zeros((size, d), dtype=np.float32)
    rows = {"self_attention/linear_0": 3 * d, "attention/linear_1": 2 * d}
    key = next((k for k in rows if name.endswith(k + "/weight")), None)
    return np.zeros((rows[key] if key else d, d), dtype=np.float32)


def _set(spec: Any, name: str, value: Any) -> None:
    """Set `decoder/layer_0/ffn/linear_1/weight`: `layer_0` is `layer[0]` in the spec."""
    obj = spec
    *path, attr = name.split("/")
    for part in path:
        base, _, index = part.rpartition("_")
        if not hasattr(obj, part) and index.isdigit():
            obj = getattr(obj, base)[int(index)]
        else:
            obj = getattr(obj, part)
    setattr(obj, attr, value)


def build_argosmodel(tmp: Path) -> Path:
    pkg = tmp / "build" / "translate-en_vi-0_1"
    pkg.mkdir(parents=True)
    pieces = _sentencepiece(pkg / "sentencepiece.model")
    _ctranslate2_model(pkg / "model", pieces)
    (pkg / "metadata.json").write_text(json.dumps({
        "package_version": "0.1", "argos_version": "1.9", "from_code": "en",
        "from_name": "English", "to_code": "vi", "to_name": "Vietnamese", "type": "translate",
    }))
    out = tmp / "en_vi.argosmodel"
    with zipfile.ZipFile(out, "w") as z:
        for f in sorted(pkg.rglob("*")):
            z.write(f, f.relative_to(pkg.parent).as_posix())
    return out


@pytest.fixture
def argos_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the package's model folder (fixed at its import) at this test's tmp_path."""
    from argostranslate import settings as argos_settings

    folder = tmp_path / "argos-packages"
    folder.mkdir()
    monkeypatch.setattr(argos_settings, "package_data_dir", folder)
    monkeypatch.setattr(argos_settings, "package_dirs", [folder])
    return folder


@needs_argos
def test_a_tiny_model_translates_end_to_end(tmp_path: Path, argos_dir: Path) -> None:
    engine = ArgosEngine()
    with pytest.raises(EngineError, match="no installed model translates en → vi"):
        engine.translate(["Hello."], "en", "vi")
    model = build_argosmodel(tmp_path)
    assert install_model(model) == "en → vi (0.1)"
    assert (argos_dir / "translate-en_vi-0_1" / "model" / "model.bin").exists()
    out = engine.translate(["ByteDance plans to spend money. The company said so."], "en", "vi")
    assert out == ["xin chào xin chào"]  # one "sentence" translated per input sentence

    with Store(tmp_path / "x.db") as store:
        store.save_article(Article(
            id="a1", url="https://example.com/a1", source="https://example.com/feed",
            title="Chips", text="the company said it would buy chips",
            paragraphs=(Paragraph(0, "the company said it would buy chips", "en"),),
            language="en"))
        tr = translate_article(Settings(), store, "a1", target="vi", engine=engine)
        assert [p.translation for p in tr.pairs] == ["xin chào", "xin chào"]
        assert (tr.engine, tr.model) == ("argos", "argos")


@needs_argos
def test_install_model_refuses_a_bad_file(tmp_path: Path, argos_dir: Path) -> None:
    bad = tmp_path / "bad.argosmodel"
    bad.write_text("not a zip")
    with pytest.raises(EngineError, match="cannot install model"):
        install_model(bad)
    with pytest.raises(EngineError, match="no such model file"):
        install_model(tmp_path / "missing.argosmodel")
