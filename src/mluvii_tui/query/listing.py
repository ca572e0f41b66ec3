"""Which queries scan (and are worth listing their few matches once) and the correlated form of
member subqueries: helpers of the query runner (runner.py)."""

from __future__ import annotations

from mluvii_tui.query.types import SessionQuery
from mluvii_tui.query.where import resolve_column

#: Member subqueries of filters.py and their correlated form. ``s.id IN (SELECT ...)`` builds
#: the whole match list first (300k entries: ~0.4 s); walking the sort index with a correlated
#: EXISTS probes the child table's primary key only for the rows the window actually reads.
_CORRELATE = (
    (
        "s.id IN (SELECT p.session_id FROM params p WHERE ",
        "EXISTS (SELECT 1 FROM params p WHERE p.session_id = s.id AND ",
    ),
    (
        "s.id NOT IN (SELECT p.session_id FROM params p WHERE ",
        "NOT EXISTS (SELECT 1 FROM params p WHERE p.session_id = s.id AND ",
    ),
    (
        "s.id IN (SELECT o.session_id FROM operators o WHERE ",
        "EXISTS (SELECT 1 FROM operators o WHERE o.session_id = s.id AND ",
    ),
)


#: A costly query (see ``costly``) with at most this many matches is listed once by its count.
MEMBER_LIST_MAX = 20_000
#: Kinds whose "in" filter is a membership test over the joined list (a scan).
_SCAN_IN_KINDS = frozenset({"person", "ids"})


def costly(query: SessionQuery) -> bool:
    """Conditions that scan (quick filter, text match, list membership, a search narrowed by
    filters): worth listing their few matches once. Index-served filters and a search alone
    (FTS answers in a few ms) are counted directly: listing would only add work when they
    match many rows."""
    if query.quick.strip() or (query.search.strip() and query.filters):
        return True
    for flt in query.filters:
        if flt.op in ("contains", "equals"):
            return True
        if flt.op == "in" and flt.column != "operators":
            col = resolve_column(flt.column)
            if col is not None and col.kind in _SCAN_IN_KINDS:
                return True
    return False


_LISTED = "s.id IN (SELECT value FROM json_each(?))"


def correlated(where: str) -> str:
    """The WHERE text with member subqueries correlated (same parameters, same order)."""
    for plain, corr in _CORRELATE:
        where = where.replace(plain, corr)
    return where
