"""Re-route dialog: operator groups with their availability and operators with their state,
filtered as you type; choose a group or one operator, add a note for the next operator.

Returns ``(ForwardTarget, note)``; the confirmation and the sending happen after it
(``screens/confirm_action.py``). The same dialog serves one session and a bulk re-route.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ..actions.runner import ForwardTarget
from ..actions.targets import fold, group_line, operator_state
from ..api.admin_models import Availability
from ..text import one_line

Choice = tuple[ForwardTarget, str]


class RerouteDialog(ModalScreen[Choice | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="reroute.cancel"),
        Binding("down", "move(1)", "Next", show=False, id="reroute.next"),
        Binding("up", "move(-1)", "Previous", show=False, id="reroute.previous"),
    ]

    def __init__(self, title: str, load: Callable[[], Awaitable[Availability]]) -> None:
        super().__init__()
        self.title_text = title
        self.load = load
        self.availability: Availability | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="admin-dialog admin-wide", id="reroute"):
            yield Static(Text(self.title_text, style="bold"), classes="admin-title")
            yield Input(placeholder="filter groups and operators", id="reroute-filter")
            yield OptionList(id="reroute-targets")
            yield Input(placeholder="note for the next operator (optional)", id="reroute-note")
            yield Static(
                Text("type to filter · ↑↓ choose · tab note · enter continue · esc cancel"),
                classes="admin-hint",
            )
            yield Static("", id="reroute-message")

    def on_mount(self) -> None:
        self.query_one("#reroute-targets", OptionList).can_focus = False  # ↑↓ from the inputs
        self.query_one("#reroute-filter", Input).focus()
        self._say("loading availability…")
        self._load()

    @work(exclusive=True, group="reroute", exit_on_error=False)
    async def _load(self) -> None:
        from ..api.errors import MluviiError

        try:
            self.availability = await self.load()
        except MluviiError as exc:
            self._say(f"cannot load availability: {exc.message}", error=True)
            return
        self._say("")
        self._fill()

    def _say(self, message: str, *, error: bool = False) -> None:
        self.query_one("#reroute-message", Static).update(
            Text(one_line(message, 200), style="bold red" if error else "dim")
        )

    def _fill(self) -> None:
        options = self.query_one("#reroute-targets", OptionList)
        options.clear_options()
        if self.availability is None:
            return
        wanted = fold(self.query_one("#reroute-filter", Input).value.strip())
        names = {g.id: one_line(g.name or f"#{g.id}", 40) for g in self.availability.groups}
        groups = [g for g in self.availability.groups if wanted in fold(names[g.id])]
        operators = [
            o
            for o in self.availability.operators
            if wanted in fold(o.full_name) or wanted in fold(operator_state(o))
        ]
        items: list[Option | None] = []
        if groups:
            items.append(Option(Text("Groups", style="bold"), disabled=True))
        for g in groups:
            prompt = Text(f"  {names[g.id]:<24}", style="bold")
            prompt.append(group_line(g), style="")
            items.append(Option(prompt, id=f"g:{g.id}"))
        if operators:
            items.append(Option(Text("Operators", style="bold"), disabled=True))
        for o in sorted(operators, key=lambda o: fold(o.full_name)):
            state = operator_state(o)
            style = "dim" if state == "offline" else ""
            prompt = Text(f"  {one_line(o.full_name, 30):<24}", style=f"bold {style}".strip())
            prompt.append(f"{state:<24}", style=style)
            prompt.append(", ".join(names.get(g, f"#{g}") for g in o.group_ids), style="dim")
            items.append(Option(prompt, id=f"u:{o.user_id}"))
        options.add_options(items)
        first = next((n for n, i in enumerate(items) if i is not None and not i.disabled), None)
        if first is not None:
            options.highlighted = first
        else:
            self._say("nothing matches the filter", error=True)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "reroute-filter":
            self._say("")
            self._fill()

    def action_move(self, step: int) -> None:
        options = self.query_one("#reroute-targets", OptionList)
        if step > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._choose()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._choose()

    def _choose(self) -> None:
        options = self.query_one("#reroute-targets", OptionList)
        index = options.highlighted
        if index is None or self.availability is None:
            self._say("choose a group or an operator", error=True)
            return
        option = options.get_option_at_index(index)
        kind, _, ident = (option.id or "").partition(":")
        note = self.query_one("#reroute-note", Input).value.strip()
        if kind == "g":
            g = next(g for g in self.availability.groups if g.id == int(ident))
            self.dismiss((ForwardTarget(group_id=g.id, name=one_line(g.name or "", 60)), note))
        elif kind == "u":
            o = next(o for o in self.availability.operators if o.user_id == int(ident))
            self.dismiss((ForwardTarget(user_id=o.user_id, name=one_line(o.full_name, 60)), note))

    def action_cancel(self) -> None:
        self.dismiss(None)
