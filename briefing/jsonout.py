"""JSON the app prints or writes: always JSON every reader takes.

Python's json writes float('inf') and float('nan') as `Infinity` and `NaN`, which no other
JSON parser accepts. Facts stored by an older tagger can hold such values (today's drops
them), so every JSON output goes through `dumps`, which writes them as null.
"""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = ["dumps", "finite"]


def finite(value: Any) -> Any:
    """`value` with every non-finite float (inf, -inf, nan) inside it replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def dumps(value: Any, *, indent: int | None = None, ensure_ascii: bool = True) -> str:
    """json.dumps that never writes NaN or Infinity. The common case costs one encoding:
    the walk that replaces them runs only when the first try finds one."""
    try:
        return json.dumps(value, indent=indent, ensure_ascii=ensure_ascii, allow_nan=False)
    except ValueError:
        return json.dumps(finite(value), indent=indent, ensure_ascii=ensure_ascii,
                          allow_nan=False)
