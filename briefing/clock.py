"""The local time zone, as the process's clock reads it: dates a user types (`--since
2026-03-01`, `--since yesterday`) are days of the user's calendar, and the reader shows times
in the user's zone. Both come from $TZ (else /etc/localtime), which a crontab may set oddly."""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime, timedelta


def settle_local_zone() -> str | None:
    """Make the local zone one Python can hold, once, at start-up; returns the $TZ it replaced
    (None when the zone was fine). POSIX lets TZ name offsets up to 24 hours (`XYZ+24`, and
    glibc reads `X+99:99` as 99 hours) but a datetime offset must be under a day: every
    `astimezone()` would raise ValueError, in the reader's date column and in `--since`.
    Such a zone is read as UTC, as glibc itself reads a TZ it cannot parse at all."""
    try:
        datetime.now().astimezone()
    except (ValueError, OverflowError):
        previous = os.environ.get("TZ", "")
        os.environ["TZ"] = "UTC"  # inherited by the worker processes too
        time.tzset()
        return previous
    return None


def local_midnight_utc(days_ago: int = 0) -> datetime:
    """The start of the local day `days_ago` days before today, in UTC. Built from the naive
    local midnight, so a day that starts in another offset than now (daylight saving) is
    still right."""
    day = date.today() - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day).astimezone().astimezone(UTC)


def as_utc(when: datetime) -> datetime:
    """`when` in UTC; a naive time is local time. A time too near year 1 or 9999 to shift
    by the offset is taken as UTC rather than refused: it is before or after every article."""
    try:
        return (when if when.tzinfo else when.astimezone()).astimezone(UTC)
    except (OverflowError, ValueError, OSError):
        return when.replace(tzinfo=UTC)


def local_day(iso: str | None) -> str:
    """The day (YYYY-MM-DD) a stored UTC time falls on where the user is, as `--since` and
    the reader count days; what is not a time is shown as it was stored."""
    if not iso:
        return ""
    try:
        when = datetime.fromisoformat(iso)
        return (when.astimezone() if when.tzinfo else when).date().isoformat()
    except (ValueError, OverflowError, OSError):
        return iso[:10]
