"""What the query planner knows of the store's table layout: which session fields carry a
composite (field, id, is_live) index, and how list values are joined in one column.

store/schema.py builds its DDL from these, so planner and schema cannot disagree.
"""

from __future__ import annotations

LIST_SEP = ", "
ID_SEP = ","

#: Columns with a composite (col, id, is_live) index: the sort and the view filter (is_live) are
#: answered from the index alone, so a window at any offset never touches the table rows it skips.
#: Chosen for the default and common sorts; every other column sorts with a temporary B-tree.
#: Measured at 1M sessions (bench/store_bench.py): an indexed re-sort (top + end window) takes
#: 2-8 ms; an unindexed one (url) 0.5 s, as does a "contains" on it (a full table scan). Each
#: index costs about (value bytes + ~12) x rows: 15-25 MB per 1M sessions for the short columns
#: below, but 60-110 MB for long, mostly unique text (url, e-mail, phone, ip, client id,
#: feedback), which is also rarely sorted; those stay unindexed (the store is 81 MB per 100k
#: sessions without transcripts, ~470 MB with 20 activities each and the search index).
INDEXED_FIELDS: tuple[str, ...] = (
    "created",
    "ended",
    "started",
    "waited_s",
    "length_s",
    "channel",
    "source",
    "status",
    "operators",
    "client_name",
    "end_reason",
    "rating",
    "messages_count",
)
