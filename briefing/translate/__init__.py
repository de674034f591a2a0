"""Translations beside their originals: engines, a per-paragraph cache and a numbers check.

`translate_article` is what the CLI, the pipeline and the TUI call; `make_engine` builds the
engine the settings name. Importing this package imports httpx (the engines' client) but no
engine library: the argos extra loads only when that engine is asked for.
"""

from __future__ import annotations

from briefing.translate.check import check_pair
from briefing.translate.engines import (
    Engine,
    EngineError,
    LibreTranslateEngine,
    NoEngine,
    OpenAIEngine,
    make_engine,
)
from briefing.translate.service import (
    ArticleNotFound,
    translate_article,
    translate_untranslated,
    untranslated_ids,
)

__all__ = [
    "ArticleNotFound",
    "Engine",
    "EngineError",
    "LibreTranslateEngine",
    "NoEngine",
    "OpenAIEngine",
    "check_pair",
    "make_engine",
    "translate_article",
    "translate_untranslated",
    "untranslated_ids",
]
