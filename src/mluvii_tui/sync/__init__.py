"""Bringing the tenant's sessions into the local store: the history sync (paged, narrowed by the
filters the API understands, idempotent by content hash).

Imports api/ (the client), store/ and query/; never Textual. The UI and cli/ call it.
"""
