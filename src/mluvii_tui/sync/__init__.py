"""Bringing the tenant's sessions into the local store: the history sync (history.py, pages.py:
paged, narrowed by the filters the API understands, idempotent by content hash; process.py,
child.py, writer.py: in processes of its own) and applying live events from the relay (live.py).

Imports api/ (the client), store/ and query/; never Textual. The UI and cli/ call it.
"""

#: Sessions per page the headless sync asks for (mluvii's own examples page by 1,000): each page
#: is one request, one transaction and one flush of every FTS5 table, so fewer pages cost less.
#: Decoded by msgspec (no dict per object), a page of 1,000 (3.5 MB of JSON) keeps the processes
#: at ~86 and ~76 MB (500: ~71 and ~64). At 100k sessions, two alternated pairs: 7,958 and
#: 8,290 sessions/s with 500, 8,181 and 8,972 with 1,000 (200 -> 182-200 us of CPU a session).
SYNC_PAGE_SIZE = 1000


def quiet_gc() -> None:
    """For the sync's own processes, once their modules are imported: the cyclic collector
    leaves the imported objects alone (frozen) and runs every 10,000 allocations instead of
    700. A page decoded into ~50,000 dicts and lists that hold no cycles; collecting among
    them cost ~11 us per session (of ~90 to decode and build one). Each httpx response ends
    in a reference cycle: ``ApiTransport.session_page`` breaks the one that held the page's
    bytes (they piled up between collections: 425 MB at 100,000 allocations)."""
    import gc

    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
