"""Cleaning: HTML to article text, boilerplate removal, language per paragraph.

Nothing is imported eagerly: trafilatura and py3langid are slow to import, and the feed parser
and the TUI only need some of this package. Import the submodules directly, e.g.
`from briefing.clean.extract import extract_html`.
"""

from __future__ import annotations

__all__ = ["boilerplate", "extract", "language"]
