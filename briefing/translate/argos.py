"""Offline translation with Argos models, through the optional `argos-translate-lt` package.

Upstream `argostranslate` pulls torch and CUDA (gigabytes) for what is a CTranslate2 model and a
SentencePiece tokenizer; `argos-translate-lt` (LibreTranslate's fork) needs only ctranslate2 and
sentencepiece. It is an extra: `pip install 'briefing[argos]'`, imported only when used.

We use the package for what it is good at (installing `.argosmodel` files, reading their
metadata, tokenizing) and run the CTranslate2 model ourselves, splitting sentences with
briefing's own splitter: the fork's default sentence splitter (MiniSBD) downloads an ONNX model
from the network on first use, which fails offline and would be network access outside the
engines' own client; it has no Vietnamese model anyway.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from briefing.text import split_sentences
from briefing.translate.errors import EngineError

NOT_INSTALLED = "argos-translate-lt is not installed: pip install 'briefing[argos]'"
_lock = threading.Lock()  # a CTranslate2 translator is loaded once per model and process
_translators: dict[str, Any] = {}


def _import() -> Any:
    try:
        import argostranslate.package as package  # ~40 ms (measured); only when used
    except ImportError as exc:
        raise EngineError(NOT_INSTALLED, fatal=True) from exc
    return package


def install_model(path: str | Path) -> str:
    """Install a local `.argosmodel` file; returns "from → to (version)" for the user."""
    package = _import()
    path = Path(path)
    if not path.is_file():
        raise EngineError(f"argos: {path}: no such model file")
    try:
        package.install_from_path(path)
    except Exception as exc:  # the package raises bare Exception for a non-zip file
        raise EngineError(f"argos: {path}: cannot install model ({exc})") from exc
    name = _model_name(path)
    return name or path.name


def _model_name(path: Path) -> str:
    import json
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            meta_name = next(n for n in z.namelist() if n.endswith("/metadata.json"))
            meta = json.loads(z.read(meta_name))
    except (OSError, StopIteration, ValueError, zipfile.BadZipFile):
        return ""
    return f"{meta.get('from_code')} → {meta.get('to_code')} ({meta.get('package_version', '')})"


class ArgosEngine:
    """Translates with the installed Argos model for the language pair asked for."""

    name = "argos"

    def __init__(self) -> None:
        self._package = _import()
        # One name for every installed model: the cache key must not change between the
        # first call and the next, and a pair has one installed model at a time.
        self.model = "argos"

    def _find(self, source: str, target: str) -> Any:
        try:
            installed = self._package.get_installed_packages()
        except Exception as exc:  # a half-extracted package dir has no metadata.json
            raise EngineError(f"argos: cannot read installed models ({exc})") from exc
        for pkg in installed:
            if getattr(pkg, "type", "translate") != "translate":
                continue
            if pkg.from_code == source and pkg.to_code == target:
                return pkg
        raise EngineError(
            f"argos: no installed model translates {source} → {target}: get a .argosmodel file "
            "and run `briefing translate --install-model FILE`", fatal=True)

    def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        pkg = self._find(source, target)
        translator = self._translator(pkg)
        try:
            return [self._paragraph(translator, pkg, text, source) for text in texts]
        except Exception as exc:  # ctranslate2/sentencepiece raise RuntimeError, ValueError
            raise EngineError(f"argos ({source} → {target}): translation failed ({exc})") from exc

    @staticmethod
    def _translator(pkg: Any) -> Any:
        import ctranslate2

        key = str(pkg.package_path)
        with _lock:
            if key not in _translators:
                try:
                    _translators[key] = ctranslate2.Translator(
                        str(Path(pkg.package_path) / "model"), device="cpu")
                except Exception as exc:
                    raise EngineError(f"argos: cannot load model {key} ({exc})") from exc
            return _translators[key]

    @staticmethod
    def _paragraph(translator: Any, pkg: Any, text: str, source: str) -> str:
        sentences = [text[a:b] for a, b in split_sentences(text, source)] or [text]
        tokens = [pkg.tokenizer.encode(s) for s in sentences]
        prefix = getattr(pkg, "target_prefix", "") or ""
        results = translator.translate_batch(
            tokens, target_prefix=[[prefix]] * len(tokens) if prefix else None,
            replace_unknowns=True, beam_size=2, max_decoding_length=256)
        out = []
        for res in results:
            value = pkg.tokenizer.decode(res.hypotheses[0])
            if prefix and value.startswith(prefix):
                value = value[len(prefix):]
            out.append(value.strip())
        return " ".join(v for v in out if v)
