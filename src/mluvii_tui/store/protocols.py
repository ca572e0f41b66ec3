"""What the layers above see of the store: typed contracts instead of ``Any`` and probes.

``SessionStore`` satisfies each structurally; a caller names the smallest one it needs.
"""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager
from typing import Protocol

from mluvii_tui.api.models import SessionModel
from mluvii_tui.query.runner import QueryRunner
from mluvii_tui.query.types import SessionQuery


class ExportStore(Protocol):
    """What export/ reads: counts and window ids through the store's own plans (on a connection
    of the export's own, closed after it), the kept JSON of a row and one session's reading."""

    def job_connection(self, cache_kib: int) -> AbstractContextManager[None]: ...

    def release_memory(self) -> None: ...

    def reading(self) -> AbstractContextManager[sqlite3.Connection]: ...

    def runner(self, conn: sqlite3.Connection) -> QueryRunner: ...

    def count(self, query: SessionQuery) -> int: ...

    def unpack(self, blob: bytes) -> bytes | None: ...

    def get_session(self, session_id: int) -> SessionModel | None: ...
