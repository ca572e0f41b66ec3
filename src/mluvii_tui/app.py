"""The Textual application: owns the store, the API client and the clock; shows Sessions."""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import App
from textual.binding import BindingType
from textual.content import Content
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.timer import Timer

from .actions.audit import AuditLog
from .actions.permissions import Permissions
from .actions.runner import ActionRunner
from .config.settings import set_warning_sink
from .keymap.commands import bindings
from .query.stats import QueueHistory
from .screens.keys import KeymapCommands, run_command
from .screens.live import LiveLink, LiveOptions
from .screens.profiles import ProfileCommands
from .screens.sessions import SessionsScreen, SyncStateChanged
from .text import clean, one_line

if TYPE_CHECKING:
    from .api.client import MluviiClient
    from .api.filters import SessionFilter
    from .domain.outbox_store import PendingNotes
    from .store.store import SessionStore


#: Short names for ``:theme`` and the ``theme`` setting.
THEME_NAMES = {"dark": "textual-dark", "light": "textual-light", "ansi": "ansi-dark"}


class MluviiApp(App[None]):
    CSS_PATH = "styles.tcss"
    TITLE = "mluvii-tui"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {ProfileCommands, KeymapCommands}
    KEYMAP_SCOPE = "app"
    BINDINGS: ClassVar[list[BindingType]] = bindings("app")

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
        keymap: dict[str, str] | None = None,
        clipboard: str = "auto",
        theme: str = "",
        read_only: bool = False,
        live: LiveOptions | None = None,
    ) -> None:
        super().__init__()
        self._theme_problem = self._use_theme(theme) if theme else None
        if keymap:
            self.set_keymap(keymap)  # the user's remaps by binding id ([keys] in config.toml)
        self.clipboard_mode = clipboard
        self.queue_history = QueueHistory()
        self.store = store
        self.client = client
        self.profile = profile
        self._now = now
        self.sync_days = sync_days
        self.base_url = base_url
        self.web_app_domain = web_app_domain or base_url
        self.started_at = started_at if started_at is not None else time.perf_counter()
        self.first_paint_s: float | None = None
        #: One line for the user at start (e.g. a damaged cache was moved aside), set by the CLI.
        self.startup_notice: str | None = None
        #: One line describing the crash that ended the app (the CLI prints it; exit status 1).
        self.fatal_error: str | None = None
        self._connect = connect
        self._live_timer: Timer | None = None
        self.permissions = Permissions(read_only=read_only)  # the user comes from who-am-I
        self._actions: ActionRunner | None = None
        self.live = LiveLink(self, live or LiveOptions())
        if now is not None and getattr(store, "now", None) is None:
            store.now = now  # time presets ("last 7 days") count from the app's clock

    @functools.cached_property
    def pending_notes(self) -> PendingNotes:
        """The profile's notes outbox (state dir). When it cannot be opened, notes are kept in
        memory for this session and the user is told so."""
        import sqlite3

        from .config.paths import outbox_path
        from .domain.outbox_store import PendingNotes

        try:
            return PendingNotes(outbox_path(self.profile))
        except (OSError, sqlite3.Error) as exc:
            self.notify(
                f"notes cannot be kept on disk ({exc}): notes not yet sent are kept only "
                "until the console closes",
                title="Notes",
                severity="warning",
                timeout=15,
                markup=False,
            )
            return PendingNotes(":memory:")

    def now(self) -> datetime:
        """The app's clock: injectable so that tests and snapshots are stable."""
        if self._now is not None:
            return self._now()
        return datetime.now().astimezone()

    #: Seconds between polls of the live sessions while the Live view is shown (no relay yet).
    LIVE_POLL_S = 10.0

    def on_mount(self) -> None:
        self.push_screen(SessionsScreen())
        if self._theme_problem:
            self.notify(Content(self._theme_problem), severity="warning", timeout=8)
        self.store.on_damage = self._store_failed  # any thread: notify() is thread-safe
        set_warning_sink(self._settings_unsaved)
        if self.startup_notice:
            self.notify(self.startup_notice, severity="warning", timeout=20, markup=False)
        if self.client is not None:
            self._online()
        elif self._connect is not None:
            self._connect_worker()

    def _settings_unsaved(self, line: str) -> None:
        self.notify(line, title="Settings", severity="warning", timeout=12, markup=False)

    def _store_failed(self, line: str) -> None:
        self.notify(line, title="Local cache", severity="error", timeout=20, markup=False)

    def _fatal_error(self) -> None:
        """Textual's hook for an unhandled exception: instead of a traceback on the terminal, the
        details go to a private crash file and the CLI prints one line (exit status 1)."""
        from .domain.crash import write_crash_report

        self.bell()
        self.fatal_error = write_crash_report(self.profile, self._exception)
        self._close_messages_no_wait()

    @property
    def actions(self) -> ActionRunner:
        """The runner of admin actions (request ids, audit log) for this client and profile."""
        if self._actions is None or self._actions.client is not self.client:
            audit = AuditLog.for_profile(self.profile)
            self._actions = ActionRunner(self.client, audit, self.profile, self.permissions)
        self._actions.permissions = self.permissions
        return self._actions

    @work(exclusive=True, group="whoami", exit_on_error=False)
    async def _who_am_i(self) -> None:
        """Who is signed in (name, role, permissions), for the header and the admin actions."""
        from .api.errors import MluviiError

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
        from .connect.opening import client_for, load_profile, open_healed, switch_environ

        try:  # the MLUVII_TUI_* overrides belong to the profile chosen at start, not this one
            profile = load_profile(name)
            client = client_for(profile, environ=switch_environ())
            store, notice = open_healed(profile.name)
        except Exception as exc:  # one clear line, never a traceback
            self.notify(Content(f"cannot open profile {name}: {exc}"), severity="error")
            return
        if notice:
            self.notify(notice, severity="warning", timeout=20, markup=False)
        self.call_from_thread(
            self._swap_profile, profile.name, store, client, profile.history_days, profile.read_only
        )

    async def _swap_profile(
        self, name: str, store: SessionStore, client: MluviiClient, days: int, read_only: bool
    ) -> None:
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
        self.queue_history.add(self.store.live_queues())  # the stats view's Live sparklines
        self._post_to_screen(SyncStateChanged(running=False, done=True))

    async def on_unmount(self) -> None:
        set_warning_sink(None)
        self.live.stop()
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

    def action_show_help(self) -> None:
        from .screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
        else:
            self.push_screen(HelpScreen())

    def action_command_line(self) -> None:
        from .screens.command_line import CommandLine

        self.push_screen(CommandLine(), self._command_chosen)

    async def _command_chosen(self, chosen: tuple[Any, str] | None) -> None:
        if chosen is not None:
            await run_command(self, *chosen)

    def action_set_theme(self, name: str) -> None:
        """``:theme NAME``: any Textual theme; light, dark and ansi are short names."""
        problem = self._use_theme(name)
        if problem:
            self.notify(Content(problem), severity="warning")

    def _use_theme(self, name: str) -> str | None:
        name = THEME_NAMES.get(name.strip().lower(), name.strip().lower())
        if name not in self.available_themes:
            known = ", ".join([*THEME_NAMES, *sorted(self.available_themes)][:12])
            return f"unknown theme {name!r}: try {known}…"
        self.theme = name
        return None

    def copy_to_clipboard(self, text: str) -> bool:  # type: ignore[override]
        """Every copy goes here: control sequences stripped, then OSC 52 (tmux-wrapped, capped)
        or the local clipboard, as ``clipboard`` in config.toml says. False (with a toast
        saying why) when nothing was copied."""
        from .clipboard import copy
        from .text import clean

        text = clean(text)
        self._clipboard = text
        driver = self._driver
        done = copy(text, self.clipboard_mode, driver.write if driver is not None else _no_write)
        if not done.ok:
            self.notify(Content(f"Not copied: {done.message}"), severity="warning", timeout=6)
        return done.ok

    def action_stats(self) -> None:
        """The stats view of what the sessions table shows now (its filters and view)."""
        from .screens.stats import StatsScreen
        from .widgets.session_table import SessionTable

        for screen in reversed(self.screen_stack):
            if isinstance(screen, SessionsScreen):
                table = screen.query_one(SessionTable)
                self.push_screen(StatsScreen(table.query, screen.filter_description()))
                return
        self.push_screen(StatsScreen())

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
        from mluvii_tui.sync.history import SyncProgress, sync_history

        from .api.errors import MluviiError

        assert self.client is not None
        screen_post = self._post_to_screen

        def progress(p: SyncProgress) -> None:
            screen_post(
                SyncStateChanged(running=True, sessions=p.sessions, pages=p.pages, phase=p.waiting)
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


def _no_write(_sequence: str) -> None:
    """Headless runs (tests) have no terminal to write the sequence to."""
