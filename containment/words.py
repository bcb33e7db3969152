"""Words in messages, shared by every layer: a count with the noun that goes with it."""

from __future__ import annotations

__all__ = ["count"]


def count(n: int, singular: str, plural: str | None = None) -> str:
    """``n`` and the noun that goes with it, digits grouped.

    >>> count(1, "case"), count(2, "case"), count(1200, "row"), count(1, "sector", "sectors")
    ('1 case', '2 cases', '1,200 rows', '1 sector')
    """
    return f"{n:,} {singular if n == 1 else (plural or singular + 's')}"
