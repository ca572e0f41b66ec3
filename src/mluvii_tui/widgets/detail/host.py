"""What the detail pane needs from the app that hosts it (``MluviiApp``; the tests' small
``DetailApp`` gives the same), named once instead of ``getattr`` probes of ``self.app``."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol, cast

if TYPE_CHECKING:
    from textual.app import App

    from mluvii_tui.api.client import MluviiClient
    from mluvii_tui.domain.outbox_store import PendingNotes
    from mluvii_tui.store.store import SessionStore


class DetailHost(Protocol):
    """The pane's services: the local store, the API client (None: offline), the clock, the
    web app's address for links and the notes outbox (None: one in memory)."""

    store: SessionStore
    client: MluviiClient | None
    web_app_domain: str | None

    @property
    def pending_notes(self) -> PendingNotes | None: ...

    def now(self) -> datetime: ...


def host(app: App[object]) -> DetailHost:
    """``app`` as the pane's host (Textual types ``Widget.app`` as a plain ``App``)."""
    return cast("DetailHost", app)
