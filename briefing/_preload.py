"""Imported once by the pipeline's fork server, so every worker process it forks starts with
the parsers, the tagger and the language model already loaded (shared copy-on-write) instead
of importing them and loading py3langid's model again (~60 MB per worker; the model itself
is mapped from the user's cache, see clean.langid_cache)."""

from __future__ import annotations

import gc

import feedparser  # noqa: F401
import lxml.html  # noqa: F401

import briefing.clean.extract
import briefing.ingest
import briefing.signatures
import briefing.sources.fastfeed
import briefing.sources.feeds
import briefing.tagger
from briefing.clean import language

language.detect("Loading the language model once, in the fork server, before any worker.")
_ = briefing.clean.extract, briefing.ingest, briefing.signatures, briefing.sources.feeds

# Workers make and drop a few hundred thousand small objects an item, nearly none in cycles:
# with the default thresholds a worker ran ~150 young and ~1.5 full collections per 1,000
# items, each full one walking every module object loaded above (~0.065 ms an item in all,
# and the walk dirties the pages shared with this process). Frozen here, what is loaded is
# never walked in any worker; the first threshold raised as the writer's (pipeline's
# GC_THRESHOLD) makes young collections rare. Forked workers inherit both.
gc.freeze()
gc.set_threshold(*briefing.ingest.WORKER_GC_THRESHOLD)
