"""Bringing the tenant's sessions into the local store: the history sync (history.py, pages.py:
paged, narrowed by the filters the API understands, idempotent by content hash; process.py,
child.py, writer.py: in processes of its own) and applying live events from the relay (live.py).

Imports api/ (the client), store/ and query/; never Textual. The UI and cli/ call it.
"""

#: Sessions per page the sync process asks for: a page of 1,000 (3.6 MB of JSON) costs ~45 MB
#: while orjson decodes it; 500 keeps the sync process under ~100 MB for the same CPU per session.
SYNC_PAGE_SIZE = 500


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
