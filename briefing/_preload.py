"""Imported once by the pipeline's fork server, so every worker process it forks starts with
the parsers, the tagger and the language model already loaded (shared copy-on-write) instead
of importing them and unpacking py3langid's model again (~0.3 s and ~60 MB per worker)."""

from __future__ import annotations

import feedparser  # noqa: F401
import lxml.html  # noqa: F401

import briefing.clean.extract
import briefing.ingest
import briefing.signatures
import briefing.tagger
from briefing.clean import language

language.detect("Loading the language model once, in the fork server, before any worker.")
_ = briefing.clean.extract, briefing.ingest, briefing.signatures
