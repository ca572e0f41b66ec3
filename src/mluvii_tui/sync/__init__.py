"""Bringing the tenant's sessions into the local store: the history sync (history.py, pages.py:
paged, narrowed by the filters the API understands, idempotent by content hash) and applying
live events from the relay (live.py).

Imports api/ (the client), store/ and query/; never Textual. The UI and cli/ call it.
"""
