"""Parameters tab: callParams with source and update time; filter, copy, edit (live sessions)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, Static

from mluvii_tui.keymap.commands import bindings
from mluvii_tui.text import fold, one_line

from ...api.enums import enum_text
from ...api.errors import MluviiError
from ...api.models import CallParam
from .common import fmt_time, value_text
from .host import host


def sorted_params(params: list[CallParam]) -> list[CallParam]:
    return sorted(params, key=lambda p: (fold(p.name), p.name))


def matches(param: CallParam, needle: str) -> bool:
    if not needle:
        return True
    n = fold(needle)
    return n in fold(param.name) or n in fold(param.value or "")


class ParamEditScreen(ModalScreen[str | None]):
    """Ask for a new value of one parameter."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="param_edit.cancel")]

    def __init__(self, name: str, value: str) -> None:
        super().__init__(classes="detail-modal")
        self.param_name = name
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="detail-dialog"):
            yield Label(Text(f"Edit parameter {one_line(self.param_name, 80)}"))
            yield Input(value=self.value, id="param-value")
            yield Static(Text("enter saves, esc cancels", style="dim"))

    @on(Input.Submitted)
    def _save(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)


class ParamsView(Vertical):
    KEYMAP_SCOPE = "params"
    BINDINGS = bindings("params")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.params: list[CallParam] = []
        self.shown: list[CallParam] = []
        self.session_id: int | None = None
        self.live = False

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Filter parameters (name or value)", id="params-filter")
        yield Static(Text("", style="dim"), id="params-status", markup=False)
        table: DataTable[Any] = DataTable(id="params-table", cursor_type="row", zebra_stripes=True)
        yield table

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Name", key="name", width=24)
        table.add_column("Value", key="value", width=40)
        table.add_column("Source", key="source", width=12)
        table.add_column("Updated", key="updated", width=19)

    def set_params(
        self, session_id: int, params: list[CallParam], *, live: bool, status: str = ""
    ) -> None:
        self.session_id = session_id
        self.live = live
        self.params = sorted_params(params)
        self._fill()
        self.set_status(status)

    def set_status(self, status: str) -> None:
        self.query_one("#params-status", Static).update(Text(one_line(status, 300), style="dim"))

    def _fill(self) -> None:
        needle = self.query_one("#params-filter", Input).value
        self.shown = [p for p in self.params if matches(p, needle)]
        table = self.query_one(DataTable)
        table.clear()
        for p in self.shown:
            name = Text(one_line(p.name, 200), style="bold" if not p.read_only else "")
            if p.read_only:
                name.append(" 🔒", style="dim")
            table.add_row(
                name,
                value_text(p.value, 1000),
                Text(enum_text(p.source)),
                Text(fmt_time(p.updated_date) if p.updated_date else ""),
            )
        if not self.shown:
            self.set_status("No parameters." if not self.params else "No parameter matches.")

    @on(Input.Changed, "#params-filter")
    def _filter_changed(self) -> None:
        self._fill()

    @on(Input.Submitted, "#params-filter")
    def _filter_done(self) -> None:
        self.query_one(DataTable).focus()

    def action_filter(self) -> None:
        self.query_one("#params-filter", Input).focus()

    def _current(self) -> CallParam | None:
        table = self.query_one(DataTable)
        if not self.shown or table.cursor_row < 0 or table.cursor_row >= len(self.shown):
            return None
        return self.shown[table.cursor_row]

    def action_copy_value(self) -> None:
        param = self._current()
        if param is not None and self.app.copy_to_clipboard(param.value or "") is not False:
            self.notify(f"Copied {one_line(param.name, 60)}", timeout=2)  # False: app said why

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()  # enter on a parameter edits it (the table's own enter binding)
        self.action_edit()

    def action_edit(self) -> None:
        param = self._current()
        if param is None:
            return
        if not self.live:
            self.notify("Only parameters of a live session can be edited", severity="warning")
            return
        if param.read_only:
            self.notify(f"{one_line(param.name, 60)} is read-only", severity="warning")
            return
        if host(self.app).client is None:
            self.notify("Offline: parameters cannot be edited", severity="warning")
            return
        from ...actions.permissions import refusal

        why = refusal(self.app, "params")
        if why is not None:
            self.notify(Content(why), severity="warning")
            return

        def done(value: str | None) -> None:
            if value is not None and self.session_id is not None:
                self._put(self.session_id, param.name, value)

        self.app.push_screen(ParamEditScreen(param.name, param.value or ""), done)

    @work(exclusive=True, group="params-put", exit_on_error=False)
    async def _put(self, session_id: int, name: str, value: str) -> None:
        client = self.app.client  # type: ignore[attr-defined]
        try:
            await client.put_call_params(session_id, {name: value})
            params = await client.get_call_params(session_id)
        except MluviiError as exc:
            self.set_status(f"Not saved: {exc.message}")
            self.notify(f"Parameter not saved: {exc.message}", severity="error")
            return
        if session_id == self.session_id:
            self.set_params(session_id, params, live=self.live, status=f"Saved {name}.")
