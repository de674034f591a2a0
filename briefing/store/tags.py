"""Tags that differ only in case are one tag, shown in the spelling used most."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["merge_case", "preferred"]


def preferred(counts: Mapping[str, int]) -> dict[str, str]:
    """Each tag's case-folded key -> the spelling used most (ties: the one sorting first, so
    "Finance" before "finance")."""
    best: dict[str, str] = {}
    for tag, n in sorted(counts.items()):
        key = tag.casefold()
        if key not in best or n > counts[best[key]]:
            best[key] = tag
    return best


def merge_case(counts: Mapping[str, int]) -> dict[str, str]:
    """Every spelling that is not its tag's preferred one -> the preferred one."""
    best = preferred(counts)
    return {tag: best[tag.casefold()] for tag in counts if best[tag.casefold()] != tag}
