"""The stats view (``S`` or ``:stats``): pictures of the sessions the current filter selects.
Sessions per hour or day by channel (Textual Sparklines on one time axis), the wait-time
distribution, the share by end reason and the busiest operators (Rich bars), the rating average.
Computed in SQL over the store (query/stats.py) in a thread worker; esc closes."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.bar import Bar
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Sparkline, Static

from mluvii_tui.config.zone import zone_name
from mluvii_tui.query.stats import Stats
from mluvii_tui.query.types import SessionQuery
from mluvii_tui.text import one_line

BAR_WIDTH = 24


def bar_table(rows: list[tuple[str, int]], total: int) -> Table:
    """label | bar | count | share: Rich's Bar (no colour needed: length carries it)."""
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True, max_width=28)
    table.add_column(width=BAR_WIDTH)
    table.add_column(justify="right")
    table.add_column(justify="right", style="dim")
    top = max((n for _, n in rows), default=0) or 1
    for label, n in rows:
        share = f"{n / total:.0%}" if total else ""
        table.add_row(Text(one_line(label, 28)), Bar(top, 0, n, width=BAR_WIDTH), f"{n:,}", share)
    return table


def offset_text(offset_s: int) -> str:
    sign = "+" if offset_s >= 0 else "-"
    hours, rest = divmod(abs(offset_s), 3600)
    return f"UTC{sign}{hours:02d}:{rest // 60:02d}"


class StatsScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Back", id="stats.close"),
    ]

    def __init__(
        self, query: SessionQuery | None = None, description: str = "", total: int | None = None
    ) -> None:
        super().__init__()
        self.known_total = total  # the sessions table's exact count of the query, when it has it
        self.stats_query = query or SessionQuery()
        self.description = description
        self.stats: Stats | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("Statistics — computing…", style="bold"), id="stats-title")
        with VerticalScroll(id="stats-body"):
            if self.stats_query.view == "live":
                yield Static("", id="stats-queues-title")
                yield Vertical(id="stats-queues")
            yield Static("", id="stats-per-time-title")
            yield Vertical(id="stats-per-time")
            with Horizontal(id="stats-row"):
                yield Static("", id="stats-waits", classes="stats-box")
                yield Static("", id="stats-reasons", classes="stats-box")
            with Horizontal(id="stats-row2"):
                yield Static("", id="stats-operators", classes="stats-box")
                yield Static("", id="stats-rating", classes="stats-box")
        yield Footer()

    async def on_mount(self) -> None:
        self.query_one("#stats-body").focus()
        self._compute()
        if self.stats_query.view == "live":
            await self._queues()

    async def _queues(self) -> None:
        """Live: per group, sparklines of its queue and of all waiting clients, one sample per
        live poll (the app's QueueHistory), newest on the right."""
        history = self.app.queue_history  # type: ignore[attr-defined]
        series = history.series()
        head = Text("Queues by group", style="bold")
        head.append(f"   last {len(history.samples)} polls, newest right", style="dim")
        if not series:
            head.append("   — no client waiting in any sample yet", style="dim")
        self.query_one("#stats-queues-title", Static).update(head)
        rows = []
        for group, (queued, waiting) in series.items():
            for what, data in (("queue", queued), ("waiting", waiting)):
                label = Text(f"{one_line(group, 16):16} ", style="bold")
                label.append(f"{what} {data[-1] if data else 0}", style="dim")
                rows.append(
                    Horizontal(
                        Static(label, classes="stats-spark-label"),
                        Sparkline([float(v) for v in data], classes="stats-spark"),
                        classes="stats-spark-row",
                    )
                )
        await self.query_one("#stats-queues", Vertical).mount_all(rows)

    def _offset(self) -> int:
        now = self.app.now()  # type: ignore[attr-defined]
        offset = now.astimezone().utcoffset()
        return int(offset.total_seconds()) if offset is not None else 0

    @work(thread=True, exclusive=True, group="stats", exit_on_error=False)
    def _compute(self) -> None:
        offset = self._offset()
        try:
            store = self.app.store  # type: ignore[attr-defined]
            stats = store.stats(self.stats_query, offset, self.known_total)
        except Exception as exc:  # one line, never a traceback
            self.app.call_from_thread(self._failed, f"cannot compute statistics: {exc}")
            return
        self.app.call_from_thread(self._show, stats, offset)

    def _failed(self, message: str) -> None:
        self.query_one("#stats-title", Static).update(Text(one_line(message, 200), style="bold"))

    async def _show(self, stats: Stats, offset: int) -> None:
        self.stats = stats
        title = Text("Statistics", style="bold")
        title.append(f"  {stats.total:,} sessions")
        if self.description:
            title.append(f"  · {one_line(self.description, 80)}", style="dim")
        title.append(f"  · times in {zone_name()} ({offset_text(offset)})", style="dim")
        if stats.sample > 1:
            title.append(f"  · a sample of 1 in {stats.sample} sessions, counts scaled")
        self.query_one("#stats-title", Static).update(title)
        if not stats.total:
            self.query_one("#stats-per-time-title", Static).update("No session matches.")
            return
        await self._per_time(stats)
        waits = Text("Wait before an operator", style="bold")
        self.query_one("#stats-waits", Static).update(
            _boxed(waits, bar_table(stats.waits, stats.total))
        )
        self.query_one("#stats-reasons", Static).update(
            _boxed(Text("End reason", style="bold"), bar_table(stats.end_reasons, stats.total))
        )
        self.query_one("#stats-operators", Static).update(
            _boxed(Text("Busiest operators", style="bold"), bar_table(stats.operators, stats.total))
        )
        rating = Text("Rating\n", style="bold")
        if stats.rating_avg is None:
            rating.append("no ratings", style="dim")
        else:
            rating.append(f"★ {stats.rating_avg:.2f}", style="bold")
            rating.append(f" average of {stats.rating_count:,} ratings")
        self.query_one("#stats-rating", Static).update(rating)

    async def _per_time(self, stats: Stats) -> None:
        first, last = stats.buckets[0][0], stats.buckets[-1][0]
        fmt = "%Y-%m-%d %H:00" if stats.unit == "hour" else "%Y-%m-%d"
        head = Text(f"Sessions per {stats.unit} by channel", style="bold")
        head.append(
            f"   {first:{fmt}} … {last:{fmt}}  ({len(stats.buckets)} {stats.unit}s)", style="dim"
        )
        self.query_one("#stats-per-time-title", Static).update(head)
        box = self.query_one("#stats-per-time", Vertical)
        await box.remove_children()
        rows = []
        for channel in stats.channels:
            data = [float(counts.get(channel, 0)) for _, counts in stats.buckets]
            peak = int(max(data, default=0))
            label = Text(f"{one_line(channel, 14):14} ", style="bold")
            label.append(f"max {peak:,}", style="dim")
            rows.append(
                Horizontal(
                    Static(label, classes="stats-spark-label"),
                    Sparkline(data, classes="stats-spark"),
                    classes="stats-spark-row",
                )
            )
        await box.mount_all(rows)

    def action_close(self) -> None:
        self.dismiss(None)


def _boxed(title: Text, body: Any) -> Table:
    table = Table.grid()
    table.add_row(title)
    table.add_row(body)
    return table
