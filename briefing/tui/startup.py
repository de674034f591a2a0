"""Start-up without cyclic garbage collection: importing Textual and building the main
screen make ~60,000 objects that live as long as the app, and the collector walked them again
and again as they came (~40 ms of a ~0.4 s start at 100,000 articles). `run` turns it off
before importing Textual; the main screen's first frame turns it back on, with what start-up
made set aside for good (gc.freeze: no collection walks it again). That leaves the ~4,500
objects of start-up garbage uncollected (<1 MB)."""

from __future__ import annotations

import gc


def begin_startup_gc() -> None:
    gc.disable()


def end_startup_gc() -> None:
    """Once the first screen is painted (or the app ended before): collection resumes for
    what comes after. Only when begin_startup_gc turned it off, so an app a test runs leaves
    the test process's collector alone."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
