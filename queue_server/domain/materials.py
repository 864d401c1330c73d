"""A service's papers (`materials`, 一次性告知) in another language: its `materials_en` /
`materials_mn` list the same papers in the same order. Pure."""

from __future__ import annotations

from collections.abc import Sequence


def translated(papers: Sequence[str], names: Sequence[str], other: Sequence[str]
               ) -> list[str | None]:
    """Each of `papers` (names in the service's list `names`) in the other language's list
    `other`, or None where that list has no such paper."""
    at = {name: i for i, name in enumerate(names)}
    return [other[at[p]] if p in at and at[p] < len(other) else None for p in papers]
