"""Bringing the tenant's sessions into the local store: the history sync (history.py, pages.py:
paged, narrowed by the filters the API understands, idempotent by content hash; process.py,
child.py, writer.py: in processes of its own) and applying live events from the relay (live.py).

Imports api/ (the client), store/ and query/; never Textual. The UI and cli/ call it.
"""

#: Sessions per page the sync process asks for: a page of 1,000 (3.6 MB of JSON) costs ~45 MB
#: while orjson decodes it; 500 keeps the sync process under ~100 MB for the same CPU per session.
SYNC_PAGE_SIZE = 500
