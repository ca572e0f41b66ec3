"""The result of a bulk re-route: one line per session (done / refused with the server's
reason / outcome unknown), and ``R`` to re-route the failed ones again."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..actions.runner import DONE, REFUSED, Outcome
from ..text import one_line

MARKS = {DONE: ("✓", "green"), REFUSED: ("✗", "red")}
Retry = Callable[[list[Outcome]], Awaitable[list[Outcome]]]


def result_text(outcomes: list[Outcome]) -> Text:
    text = Text()
    for o in outcomes:
        mark, style = MARKS.get(o.result, ("?", "yellow"))
        text.append(f" {mark} ", style=f"bold {style}")
        text.append(f"{o.session_id or '':>9}  ", style="bold")
        text.append(f"{o.result:<8} ", style=style)
        text.append(one_line(o.reason or o.target, 160) + "\n")
    return text


class BulkResult(ModalScreen[list[Outcome]]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="bulk.close"),
        Binding("R", "retry", "Retry failed", id="bulk.retry"),
    ]

    def __init__(self, title: str, outcomes: list[Outcome], retry: Retry | None) -> None:
        super().__init__()
        self.title_text = title
        self.outcomes = outcomes
        self.retry = retry
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="admin-dialog admin-wide", id="bulk-result"):
            yield Static(Text(self.title_text, style="bold"), classes="admin-title")
            yield Static(id="bulk-summary")
            with VerticalScroll(id="bulk-lines"):
                yield Static(id="bulk-body")
            yield Static(id="bulk-hint", classes="admin-hint")

    def on_mount(self) -> None:
        self._show()

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.result != DONE]

    def _show(self, note: str = "") -> None:
        counts = {k: sum(o.result == k for o in self.outcomes) for k in ("done", "refused")}
        unknown = len(self.outcomes) - counts["done"] - counts["refused"]
        summary = Text(f"{counts['done']} done", style="green")
        summary.append(f" · {counts['refused']} refused", style="red")
        summary.append(f" · {unknown} unknown", style="yellow")
        self.query_one("#bulk-summary", Static).update(summary)
        self.query_one("#bulk-body", Static).update(result_text(self.outcomes))
        hint = "R retry the failed ones · esc close" if self.failed and self.retry else "esc close"
        self.query_one("#bulk-hint", Static).update(Text(note or hint, style="dim"))

    def action_retry(self) -> None:
        if self.busy or not self.failed or self.retry is None:
            return
        self.busy = True
        self._show("retrying…")
        self._retry()

    @work(exclusive=True, group="bulk", exit_on_error=False)
    async def _retry(self) -> None:
        assert self.retry is not None
        again = {o.session_id: o for o in await self.retry(self.failed)}
        self.outcomes = [again.get(o.session_id, o) for o in self.outcomes]
        self.busy = False
        self._show()

    def action_close(self) -> None:
        if not self.busy:
            self.dismiss(self.outcomes)
