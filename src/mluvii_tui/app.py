"""The Textual application: owns the store, the API client and the clock; shows Sessions."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.timer import Timer

from .screens.profiles import ProfileCommands
from .screens.sessions import SessionsScreen, SyncStateChanged
from .text import clean, one_line

if TYPE_CHECKING:
    from .api.client import MluviiClient
    from .api.filters import SessionFilter
    from .store.store import SessionStore


class MluviiApp(App[None]):
    CSS_PATH = "styles.tcss"
    TITLE = "mluvii-tui"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {ProfileCommands}

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True, id="app.quit_ctrl_c"),
        Binding("f1,question_mark", "show_help", "Help", show=False, id="app.help"),
    ]

    def __init__(
        self,
        store: SessionStore,
        client: MluviiClient | None = None,
        *,
        profile: str = "demo",
        now: Callable[[], datetime] | None = None,
        sync_days: int = 7,
        base_url: str | None = None,
        web_app_domain: str | None = None,
        started_at: float | None = None,
        connect: Callable[[], MluviiClient] | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.client = client
        self.profile = profile
        self._now = now
        self.sync_days = sync_days
        self.base_url = base_url
        self.web_app_domain = web_app_domain or base_url
        self.started_at = started_at if started_at is not None else time.perf_counter()
        self.first_paint_s: float | None = None
        self._connect = connect
        self._live_timer: Timer | None = None
        if now is not None and getattr(store, "now", None) is None:
            store.now = now  # time presets ("last 7 days") count from the app's clock

    def now(self) -> datetime:
        """The app's clock: injectable so that tests and snapshots are stable."""
        if self._now is not None:
            return self._now()
        return datetime.now().astimezone()

    #: Seconds between polls of the live sessions while the Live view is shown (no relay yet).
    LIVE_POLL_S = 10.0

    def on_mount(self) -> None:
        self.push_screen(SessionsScreen())
        if self.client is not None:
            self._online()
        elif self._connect is not None:
            self._connect_worker()

    def _online(self) -> None:
        self.run_sync()
        if self._live_timer is None:
            self._live_timer = self.set_interval(self.LIVE_POLL_S, self._poll_live)

    def switch_profile(self, name: str) -> None:
        """Open profile ``name`` (its own store, state and audit log) in place of this one."""
        self._open_profile_worker(name)

    @work(thread=True, exclusive=True, group="profile", exit_on_error=False)
    def _open_profile_worker(self, name: str) -> None:
        from .connect.opening import client_for, load_profile, open_store, switch_environ

        try:  # the MLUVII_TUI_* overrides belong to the profile chosen at start, not this one
            profile = load_profile(name)
            client = client_for(profile, environ=switch_environ())
            store = open_store(profile.name)
        except Exception as exc:  # one clear line, never a traceback
            self.notify(Content(f"cannot open profile {name}: {exc}"), severity="error")
            return
        self.call_from_thread(self._swap_profile, profile.name, store, client, profile.history_days)

    async def _swap_profile(
        self, name: str, store: SessionStore, client: MluviiClient, days: int
    ) -> None:
        for group in ("sync", "narrow", "live", "connect"):
            self.workers.cancel_group(self, group)
        old_store, old_client = self.store, self.client
        self.store, self.client, self.profile, self.sync_days = store, client, name, days
        self.base_url = self.web_app_domain = client.base_url
        while len(self.screen_stack) > 2:
            await self.pop_screen()
        await self.switch_screen(SessionsScreen())
        old_store.close()
        if old_client is not None:
            with contextlib.suppress(Exception):
                await old_client.aclose()
        self._online()
        self.notify(Content(f"profile {name}"))

    @work(exclusive=True, group="connect", exit_on_error=False)
    async def _connect_worker(self) -> None:
        """Start the backend (e.g. the demo's simulator) without delaying the first paint."""
        import asyncio

        assert self._connect is not None
        self._post_to_screen(SyncStateChanged(running=True, phase="starting the server…"))
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

        from .api.errors import MluviiError

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
        self._post_to_screen(SyncStateChanged(running=False, done=True))

    async def on_unmount(self) -> None:
        if self.client is not None:
            with contextlib.suppress(Exception):
                await self.client.aclose()

    def mark_first_paint(self) -> None:
        if self.first_paint_s is None:
            self.first_paint_s = time.perf_counter() - self.started_at

    def notify(
        self,
        message: object,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every toast of the app is plain text: messages carry names, paths and server errors,
        so they are never parsed as markup (``markup`` is accepted and ignored), a ``Text``
        or ``Content`` is shown by its plain text, and control sequences are stripped."""
        plain = message.plain if isinstance(message, Text | Content) else str(message)
        title = one_line(title, 80)
        super().notify(clean(plain), title=title, severity=severity, timeout=timeout, markup=False)

    def copy_to_clipboard(self, text: str) -> None:
        """Every copy (id, message, transcript, parameter, note, link) leaves through here: the
        one sanitiser (text.clean) strips escape sequences, controls, bidi overrides and lone
        surrogates, so a paste never carries them into a shell."""
        super().copy_to_clipboard(clean(text))

    def action_show_help(self) -> None:
        self.action_show_help_panel()

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
        from mluvii_tui.sync.history import sync_history

        from .api.errors import MluviiError

        assert self.client is not None
        screen_post = self._post_to_screen

        def progress(p: object) -> None:
            screen_post(
                SyncStateChanged(
                    running=True,
                    sessions=int(getattr(p, "sessions", 0)),
                    pages=int(getattr(p, "pages", 0)),
                )
            )

        screen_post(SyncStateChanged(running=True))
        try:
            result = await sync_history(
                self.client,
                self.store,
                days=self.sync_days,
                filters=narrow,
                now=self.now(),
                progress=progress,
            )
        except MluviiError as exc:
            screen_post(SyncStateChanged(running=False, error=exc.message, done=True))
            return
        except Exception as exc:  # never a traceback on the user's screen
            screen_post(SyncStateChanged(running=False, error=f"sync failed: {exc}", done=True))
            return
        screen_post(
            SyncStateChanged(
                running=False,
                sessions=int(getattr(result, "sessions", 0)),
                pages=int(getattr(result, "pages", 0)),
                done=True,
            )
        )

    def _post_to_screen(self, message: Message) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, SessionsScreen):
                screen.post_message(message)
                return
