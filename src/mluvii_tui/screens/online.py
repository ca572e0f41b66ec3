"""The app's link to its tenant: connecting (the demo's simulator starts in a worker), who is
signed in (permissions), switching profiles (store, client, outbox and audit log change
together), pulling the history window into the store and the Live view's poll without a relay.

``OnlineApp`` is the base of ``MluviiApp`` (app.py), which adds the shell: screens, theme,
toasts, clipboard and help. Progress and failures reach the sessions screen as
``SyncStateChanged`` messages, never as tracebacks.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from textual import work
from textual.app import App
from textual.content import Content
from textual.message import Message
from textual.timer import Timer

from ..actions.permissions import Permissions
from .live import LiveLink, LiveOptions
from .profile_settings import apply_zone_and_theme
from .sessions import SessionsScreen
from .sessions_sync import SyncStateChanged

if TYPE_CHECKING:
    from ..actions.runner import ActionRunner
    from ..api.client import MluviiClient
    from ..api.filters import SessionFilter
    from ..config.profiles import Profile
    from ..query.stats import QueueHistory
    from ..store.store import SessionStore


class OnlineApp(App[None]):
    """The tenant side of the app (set up by ``MluviiApp.__init__``)."""

    store: SessionStore
    client: MluviiClient | None
    profile: str
    sync_days: int
    base_url: str | None
    web_app_domain: str | None
    permissions: Permissions
    live: LiveLink
    queue_history: QueueHistory
    _connect: Callable[[], MluviiClient] | None
    _live_timer: Timer | None
    _actions: ActionRunner | None

    #: Seconds between polls of the live sessions while the Live view is shown (no relay yet).
    LIVE_POLL_S = 10.0

    def now(self) -> datetime:
        """The app's clock (``MluviiApp.now``)."""
        raise NotImplementedError

    def _store_failed(self, line: str) -> None:
        self.notify(line, title="Local cache", severity="error", timeout=20, markup=False)

    @property
    def actions(self) -> ActionRunner:
        """The runner of admin actions (request ids, audit log) for this client and profile."""
        from ..actions.audit import AuditLog
        from ..actions.runner import ActionRunner

        if self._actions is None or self._actions.client is not self.client:
            audit = AuditLog.for_profile(self.profile)
            self._actions = ActionRunner(self.client, audit, self.profile, self.permissions)
        self._actions.permissions = self.permissions
        return self._actions

    @work(exclusive=True, group="whoami", exit_on_error=False)
    async def _who_am_i(self) -> None:
        """Who is signed in (name, role, permissions), for the header and the admin actions."""
        from ..api.errors import MluviiError

        if self.client is None:
            return
        try:
            user = await self.client.get_me()
        except MluviiError:
            user = None  # the server does not say: it decides on each action
        self.permissions = Permissions(user, read_only=self.permissions.read_only)
        for screen in self.screen_stack:
            if isinstance(screen, SessionsScreen):
                screen.permissions_changed()

    def _online(self) -> None:
        self._who_am_i()
        self.run_sync()
        if self.live.started:
            return
        if not self.live.relayed and self._live_timer is None:  # no relay: poll while Live shows
            self._live_timer = self.set_interval(self.LIVE_POLL_S, self._poll_live)
        self.live.start()

    def switch_profile(self, name: str) -> None:
        """Open profile ``name`` (its own store, state and audit log) in place of this one."""
        self._open_profile_worker(name)

    @work(thread=True, exclusive=True, group="profile", exit_on_error=False)
    def _open_profile_worker(self, name: str) -> None:
        from ..connect.opening import client_for, load_profile, open_healed, switch_environ

        try:  # the MLUVII_TUI_* overrides belong to the profile chosen at start, not this one
            profile = load_profile(name)
            client = client_for(profile, environ=switch_environ())
            store, notice = open_healed(profile.name)
        except Exception as exc:  # one clear line, never a traceback
            self.notify(Content(f"cannot open profile {name}: {exc}"), severity="error")
            return
        if notice:
            self.notify(notice, severity="warning", timeout=20, markup=False)
        self.call_from_thread(self._swap_profile, profile, store, client)

    async def _swap_profile(
        self, profile: Profile, store: SessionStore, client: MluviiClient
    ) -> None:
        name, days, read_only = profile.name, profile.history_days, profile.read_only
        for group in ("sync", "narrow", "live", "connect"):
            self.workers.cancel_group(self, group)
        # the relay belonged to the old profile: the new one polls (its relay: a restart)
        self.live.stop()
        self.live = LiveLink(self, LiveOptions(wait_alert_s=self.live.options.wait_alert_s))
        old_store, old_client = self.store, self.client
        self.store, self.client, self.profile, self.sync_days = store, client, name, days
        # a read-only console never loosens by switching; a read-only profile makes it so
        self.permissions = Permissions(read_only=self.permissions.read_only or read_only)
        store.on_damage = self._store_failed
        self.__dict__.pop("pending_notes", None)  # the new profile's outbox opens on first use
        self.base_url = self.web_app_domain = client.base_url
        self.profile_settings = profile  # its zone and theme now, its view and columns below
        problems = apply_zone_and_theme(self, profile, profile.theme)  # type: ignore[arg-type]
        while len(self.screen_stack) > 2:
            await self.pop_screen()
        await self.switch_screen(SessionsScreen())
        old_store.close()
        if old_client is not None:
            with contextlib.suppress(Exception):
                await old_client.aclose()
        self._online()
        self.notify(Content(f"profile {name}"))
        for problem in problems:
            self.notify(Content(problem), severity="warning", timeout=12)

    @work(exclusive=True, group="connect", exit_on_error=False)
    async def _connect_worker(self) -> None:
        """Start the backend (e.g. the demo's simulator) without delaying the first paint."""
        import asyncio

        assert self._connect is not None
        phase = "connecting…" if self.base_url else "starting the server…"  # a profile / the demo
        self._post_to_screen(SyncStateChanged(running=True, phase=phase))
        try:
            self.client = await asyncio.to_thread(self._connect)
        except Exception as exc:  # one clear line, never a traceback
            message = getattr(exc, "message", None) or f"could not start: {exc}"
            self._post_to_screen(SyncStateChanged(running=False, error=message, done=True))
            return
        self._online()

    def _poll_live(self) -> None:
        screen = self.screen
        if isinstance(screen, SessionsScreen) and screen.showing_live:
            self.run_live_sync()

    @work(exclusive=True, group="live", exit_on_error=False)
    async def run_live_sync(self) -> None:
        """Polling fallback for the Live view: refresh the ongoing sessions."""
        from mluvii_tui.sync.history import sync_live

        from ..api.errors import MluviiError

        if self.client is None:
            return
        try:
            await sync_live(self.client, self.store, now=self.now())
        except MluviiError as exc:
            self._post_to_screen(SyncStateChanged(running=False, error=exc.message, done=True))
            return
        except Exception as exc:  # never a traceback on the user's screen
            self._post_to_screen(SyncStateChanged(running=False, error=f"live: {exc}", done=True))
            return
        self.queue_history.add(self.store.live_queues())  # the stats view's Live sparklines
        self._post_to_screen(SyncStateChanged(running=False, done=True))

    def run_sync(self, narrow: SessionFilter | None = None) -> None:
        """Pull the history window into the store; with ``narrow``, only what the filters ask
        for (server-side narrowing: a narrow question does not download the world)."""
        if self.client is None:
            return
        if narrow is None:
            self._sync_worker(None)
        else:
            self._narrow_worker(narrow)

    @work(exclusive=True, group="sync", exit_on_error=False)
    async def _sync_worker(self, narrow: SessionFilter | None) -> None:
        await self._sync(narrow)

    @work(exclusive=True, group="narrow", exit_on_error=False)
    async def _narrow_worker(self, narrow: SessionFilter) -> None:
        await self._sync(narrow)

    async def _sync(self, narrow: SessionFilter | None) -> None:
        """The sync runs in a process of its own (sync/process.py): this loop only hears its
        progress, and the store's readers see each committed page (WAL)."""
        from mluvii_tui.sync.history import SyncProgress
        from mluvii_tui.sync.process import (
            CONSOLE_SYNC_CACHE_KIB,
            CONSOLE_SYNC_PAGE_SIZE,
            SyncFailed,
            SyncJob,
            sync_in_child,
        )

        assert self.client is not None
        screen_post = self._post_to_screen
        store = self.store

        def progress(p: SyncProgress) -> None:
            store.written_elsewhere()
            screen_post(
                SyncStateChanged(running=True, sessions=p.sessions, pages=p.pages, phase=p.waiting)
            )

        base_url, client_id, secret = self.client.credentials()
        job = SyncJob(
            base_url,
            client_id,
            store.path,
            days=self.sync_days,
            filters=narrow,
            now=self.now(),
            # one process with a small page cache: the user's keys keep the other core, and the
            # console with its sync stays under 150 MB PSS at 1M (bench/console.py's sync step)
            writing_process=False,
            cache_kib=CONSOLE_SYNC_CACHE_KIB,
            page_size=CONSOLE_SYNC_PAGE_SIZE,
        )
        screen_post(SyncStateChanged(running=True))
        try:
            result = await sync_in_child(job, secret, progress)
        except SyncFailed as exc:
            line = exc.line if exc.kind == "api" else f"sync failed: {exc.line}"
            screen_post(SyncStateChanged(running=False, error=line, done=True))
            return
        except Exception as exc:  # never a traceback on the user's screen
            screen_post(SyncStateChanged(running=False, error=f"sync failed: {exc}", done=True))
            return
        finally:
            store.written_elsewhere()
        screen_post(
            SyncStateChanged(
                running=False,
                sessions=result.sessions,
                pages=result.pages,
                done=True,
                note=result.skipped_text,
            )
        )

    def _post_to_screen(self, message: Message) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, SessionsScreen):
                screen.post_message(message)
                return
