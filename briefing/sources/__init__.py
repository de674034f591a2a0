"""Where articles come from: HTTP (the only network code), feed bytes, local files, OPML."""

from __future__ import annotations

import sys

# httpx imports its own command-line client (rich, pygments: ~35 ms of CPU) unless that import
# fails. briefing never runs it, and every cron run paid for it before its first request.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
