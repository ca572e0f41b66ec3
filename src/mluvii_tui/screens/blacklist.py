"""The Blacklist screen: bans, active and expired (or lifted), filtered as you type, with
unban (confirmed, audited). Loads from ``app.client``; ``load`` can be given for tests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from ..actions.runner import Outcome
from ..actions.targets import CHANNEL_NAMES, fold
from ..api.admin_models import BanEntry
from ..text import one_line

if TYPE_CHECKING:
    from ..app import MluviiApp

Load = Callable[[], Awaitable[list[BanEntry]]]


def identity_of(ban: BanEntry) -> str:
    parts = [
        f"IP {ban.ip_address}" if ban.ip_address else "",
        f"cookie {ban.tracked_id}" if ban.tracked_id else "",
        f"phone {ban.phone_number}" if ban.phone_number else "",
        f"user id {ban.channel_user_id}" if ban.channel_user_id else "",
    ]
    return one_line(", ".join(p for p in parts if p) or "?", 60)


def state_of(ban: BanEntry) -> str:
    if ban.active:
        return "active"
    return "lifted" if ban.deactivated is not None else "expired"


def _when(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value is not None else "never"


class BlacklistScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="blacklist.back"),
        Binding("slash", "filter", "Filter", id="blacklist.filter"),
        Binding("a", "toggle_active", "Active/all", id="blacklist.active"),
        Binding("u", "unban", "Unban", id="blacklist.unban"),
    ]

    def __init__(self, load: Load | None = None) -> None:
        super().__init__()
        self._load_bans = load
        self.bans: list[BanEntry] = []
        self.active_only = False

    @property
    def mluvii(self) -> MluviiApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(id="blacklist-title")
        yield Input(placeholder="filter: channel, identity, reason", id="blacklist-filter")
        yield DataTable(id="blacklist-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="blacklist-message")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Ban", "State", "Channel", "Client", "Reason", "Created", "Expires")
        table.focus()
        self.query_one("#blacklist-filter").display = False
        self.refresh_bans()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "unban":
            why = self.mluvii.permissions.why_not("unban")
            if why is not None:
                return False if self.mluvii.permissions.read_only else None
        return True

    def refresh_bans(self) -> None:
        self._say("loading…")
        self._load()

    @work(exclusive=True, group="blacklist", exit_on_error=False)
    async def _load(self) -> None:
        from ..api.errors import MluviiError

        load = self._load_bans
        if load is None:
            client = self.mluvii.client
            if client is None:
                self._say("offline: no blacklist", error=True)
                return
            load = client.get_blacklist
        try:
            self.bans = await load()
        except MluviiError as exc:
            self._say(exc.message, error=True)
            return
        self._fill()

    def _say(self, message: str, *, error: bool = False) -> None:
        self.query_one("#blacklist-message", Static).update(
            Text(one_line(message, 300), style="bold red" if error else "dim")
        )

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        wanted = fold(self.query_one("#blacklist-filter", Input).value.strip())
        shown = 0
        for ban in sorted(self.bans, key=lambda b: (not b.active, -b.id)):
            if self.active_only and not ban.active:
                continue
            cells = [
                str(ban.id),
                state_of(ban),
                CHANNEL_NAMES.get(ban.channel, one_line(ban.channel, 20)),
                identity_of(ban),
                one_line(ban.reason, 50),
                _when(ban.created),
                _when(ban.expires),
            ]
            if wanted and not any(wanted in fold(c) for c in cells):
                continue
            style = "" if ban.active else "dim"
            table.add_row(*(Text(c, style=style) for c in cells), key=str(ban.id))
            shown += 1
        active = sum(b.active for b in self.bans)
        title = Text(" Blacklist ", style="bold reverse")
        title.append(f"  {active} active · {len(self.bans) - active} expired or lifted")
        if self.active_only:
            title.append("  · showing active only", style="italic")
        self.query_one("#blacklist-title", Static).update(title)
        self._say("" if shown else "no ban matches")

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one(DataTable).focus()

    def action_filter(self) -> None:
        box = self.query_one("#blacklist-filter", Input)
        box.display = True
        box.focus()

    def action_toggle_active(self) -> None:
        self.active_only = not self.active_only
        self._fill()

    def action_back(self) -> None:
        box = self.query_one("#blacklist-filter", Input)
        if box.has_focus:
            self.query_one(DataTable).focus()
            return
        self.app.pop_screen()

    def _current(self) -> BanEntry | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((b for b in self.bans if str(b.id) == key), None)

    def action_unban(self) -> None:
        from .confirm_action import ConfirmAction

        why = self.mluvii.permissions.why_not("unban")
        if why is not None:
            self.notify(Content(why), severity="warning")
            return
        ban = self._current()
        if ban is None:
            return
        if not ban.active:
            self.notify(f"Ban {ban.id} is already {state_of(ban)}.", severity="warning")
            return
        runner = self.mluvii.actions
        lines: list[Text | str] = [
            Text(f"Lift ban {ban.id}: {CHANNEL_NAMES.get(ban.channel, ban.channel)}", "bold"),
            f"client {identity_of(ban)}, banned for: {one_line(ban.reason, 120)}",
            "The client can start sessions again.",
        ]

        async def run(key: str) -> Outcome:
            return await runner.unban(ban.id, request_id=key)

        def done(outcome: Outcome | None) -> None:
            if outcome is None:
                return
            if outcome.ok:
                self.notify(f"Ban {ban.id} lifted.", title="Done")
            else:
                title = "Refused" if outcome.result == "refused" else "Outcome unknown"
                self.notify(Content(outcome.reason), title=title, severity="error")
            self.refresh_bans()

        self.app.push_screen(ConfirmAction("Unban?", lines, run, verb="unban"), done)
