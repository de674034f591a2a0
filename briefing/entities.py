"""Names and figures as a reader lists them: each entity once with its number of mentions,
each figure with its unit. Pure and light (no rules compiled), for `show --json` and the TUI."""

from __future__ import annotations

from collections.abc import Iterable

from briefing.models import Fact

__all__ = ["NAME_KINDS", "entities", "figure_label"]

NAME_KINDS = ("org", "person", "place")


def entities(facts: Iterable[Fact]) -> list[tuple[str, str, int]]:
    """Each name once, as (name, kind, mentions): most mentioned first, then first seen."""
    counts: dict[tuple[str, str], int] = {}
    for f in facts:
        if f.kind in NAME_KINDS:
            key = (str(f.value), f.kind)
            counts[key] = counts.get(key, 0) + 1
    order = {key: i for i, key in enumerate(counts)}
    return [(name, kind, n) for (name, kind), n in
            sorted(counts.items(), key=lambda kv: (-kv[1], order[kv[0]]))]


def figure_label(fact: Fact) -> str:
    """A figure as a reader notes it, with its unit: a count's text leaves out its noun
    ("40,000" counts "homes"), so the noun is added back."""
    if fact.kind == "count" and fact.unit and fact.unit not in fact.text:
        return f"{fact.text} {fact.unit}"
    return fact.text
