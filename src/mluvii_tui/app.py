"""The Textual application: owns the store, the API client and the clock; shows Sessions."""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import App
from textual.binding import BindingType
from textual.content import Content
from textual.notifications import SeverityLevel

from .actions.permissions import Permissions
from .config.settings import set_warning_sink
from .keymap.commands import bindings
from .query.stats import QueueHistory
from .screens.live import LiveLink, LiveOptions
from .screens.online import OnlineApp
from .screens.profile_settings import apply_zone_and_theme
from .screens.sessions import SessionsScreen
from .text import clean, one_line

if TYPE_CHECKING:
    from textual.command import Provider

    from .api.client import MluviiClient
    from .config.profiles import Profile
    from .domain.outbox_store import PendingNotes
    from .store.store import SessionStore


#: Short names for ``:theme`` and the ``theme`` setting.
THEME_NAMES = {"dark": "textual-dark", "light": "textual-light", "ansi": "ansi-dark"}


def _profile_commands() -> type[Provider]:
    """The palette's profile switcher, imported when the palette first opens."""
    from .screens.profiles import ProfileCommands

    return ProfileCommands


def _keymap_commands() -> type[Provider]:
    """The palette's commands of the keymap, imported when the palette first opens."""
    from .screens.keys import KeymapCommands

    return KeymapCommands


class MluviiApp(OnlineApp):
    CSS_PATH = "styles.tcss"
    TITLE = "mluvii-tui"
    ENABLE_COMMAND_PALETTE = True
    #: ``connect`` runs after the first rows are painted, or after this many seconds when they
    #: never come (a store that cannot be read): making the client never delays them.
    CONNECT_AFTER_S = 2.0
    COMMANDS = App.COMMANDS | {_profile_commands, _keymap_commands}
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
        settings: Profile | None = None,
    ) -> None:
        super().__init__()
        #: The profile's time zone, theme, default view and columns (screens/profile_settings).
        self.profile_settings = settings
        if settings is not None:
            self._theme_problems = apply_zone_and_theme(self, settings, theme)
        else:
            self._theme_problems = [p for p in [self.use_theme(theme) if theme else None] if p]
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
        self._connect_started = False
        self._live_timer = None
        self.permissions = Permissions(read_only=read_only)  # the user comes from who-am-I
        self._actions = None
        self.live = LiveLink(self, live or LiveOptions())
        if now is not None and store.now is None:
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

    def on_mount(self) -> None:
        self.push_screen(SessionsScreen())
        for problem in self._theme_problems:
            self.notify(Content(problem), severity="warning", timeout=12)
        self.store.on_damage = self._store_failed  # any thread: notify() is thread-safe
        set_warning_sink(self._settings_unsaved)
        if self.startup_notice:
            self.notify(self.startup_notice, severity="warning", timeout=20, markup=False)
        if self.client is not None:
            self._online()
        elif self._connect is not None:
            self.set_timer(self.CONNECT_AFTER_S, self._start_connect)

    def _start_connect(self) -> None:
        """``connect`` (the keyring, httpx and the models load there, or the demo's simulator
        starts), then who-am-I, sync and live: once, after the first rows
        (``mark_first_paint``), so that none of it competes with them."""
        if not self._connect_started and self.client is None and self._connect is not None:
            self._connect_started = True
            self._connect_worker()

    def _settings_unsaved(self, line: str) -> None:
        self.notify(line, title="Settings", severity="warning", timeout=12, markup=False)

    def _fatal_error(self) -> None:
        """Textual's hook for an unhandled exception: instead of a traceback on the terminal, the
        details go to a private crash file and the CLI prints one line (exit status 1)."""
        from .domain.crash import write_crash_report

        self.bell()
        self.fatal_error = write_crash_report(self.profile, self._exception)
        self._close_messages_no_wait()

    async def on_unmount(self) -> None:
        set_warning_sink(None)
        self.live.stop()
        if self.client is not None:
            with contextlib.suppress(Exception):
                await self.client.aclose()

    def mark_first_paint(self) -> None:
        if self.first_paint_s is None:
            self.first_paint_s = time.perf_counter() - self.started_at
            self.call_after_refresh(self._start_connect)

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
            from .screens.keys import run_command

            await run_command(self, *chosen)

    def action_set_theme(self, name: str) -> None:
        """``:theme NAME``: any Textual theme; light, dark and ansi are short names."""
        problem = self.use_theme(name)
        if problem:
            self.notify(Content(problem), severity="warning")

    def use_theme(self, name: str) -> str | None:
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
                known = table.count if table.count_exact and not table.updating else None
                self.push_screen(StatsScreen(table.query, screen.filter_description(), known))
                return
        self.push_screen(StatsScreen())


def _no_write(_sequence: str) -> None:
    """Headless runs (tests) have no terminal to write the sequence to."""
