"""What the table asks the store for: view, filters, quick filter, search, sort (plain values)."""

from __future__ import annotations

from dataclasses import dataclass, field

#: Filter operations. "in": any of ``values``; "range": low <= x <= high (either may be None);
#: "contains"/"equals": text match against ``values[0]`` (several values = OR);
#: "empty"/"not_empty": no value / some value.
FILTER_OPS = ("in", "range", "contains", "equals", "empty", "not_empty")


@dataclass(frozen=True)
class SortKey:
    column: str = "created"
    descending: bool = True


@dataclass(frozen=True)
class Filter:
    column: str
    op: str
    values: tuple[str, ...] = ()
    low: str | None = None
    high: str | None = None
    label: str = ""  # optional human label of the values, e.g. "last 7 days"


@dataclass(frozen=True)
class SessionQuery:
    view: str = "history"  # "history" (ended) | "live" (ongoing) | "all"
    filters: tuple[Filter, ...] = ()
    quick: str = ""
    quick_columns: tuple[str, ...] = ()
    search: str = ""
    sort: SortKey = field(default_factory=SortKey)
    #: Live view only: sessions shown although they ended (the console keeps a session that
    #: ended under the cursor, marked "ended", until the cursor leaves it).
    also: tuple[int, ...] = ()
