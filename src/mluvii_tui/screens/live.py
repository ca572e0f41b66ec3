"""The console's live wiring: the relay feed (or the 10 s poll without one), applying pushed
changes to the store and the sessions table, pause, and the connection state for the header.

``LiveLink`` belongs to the app (``app.live``). With a relay URL it runs ``LiveFeed`` in a worker;
events are batched (a few tens of ms), applied with ``sync.live.apply_events`` and the table is
reloaded in place (only the changed lines are painted again, widths only grow): the cursor
stays on its session, a session that ended is kept, marked "ended"
(``widgets/live_marks.py``), changed cells are marked, and an open transcript of a live session
is refreshed. ``p`` pauses: events wait (counted in the PAUSED banner) and apply on resume.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from textual.timer import Timer

from ..widgets.live_marks import LiveMarks
from ..widgets.session_table import SessionTable

if TYPE_CHECKING:
    from mluvii_tui.live.feed import ConnectionState, Gap, LiveEvent, LiveFeed

    from ..app import MluviiApp

#: Batches are applied at most this often (one table reload each); an event arriving when the
#: console is idle is applied at once.
BATCH_S = 0.05


@dataclass
class LiveOptions:
    """Where the relay is (``url`` "" = none: poll) and how to alert on long waits."""

    url: str = ""
    token: str = ""
    wait_alert_s: float = 0.0  # 0 = no alert; else bell + toast once per waiting client


class LiveLink:
    def __init__(self, app: MluviiApp, options: LiveOptions) -> None:
        self.app = app
        self.options = options
        self.feed: LiveFeed | None = None
        self.state: ConnectionState | None = None  # the feed's last reported state
        self.paused = False
        self.started = False
        self.stopped = False
        self.pending: list[LiveEvent] = []
        self.applied = 0
        self.marks = LiveMarks(app.now)
        self._flush_timer: Timer | None = None
        self._last_flush = 0.0
        self._applying = False
        self._in_flight = 0  # events of the batch being applied
        #: The last batch met a store held by another process: it waits in ``pending``.
        self.busy = False
        self._ticker: Timer | None = None
        self._alerted: set[int] = set()
        self._fetching: dict[int, bool] = {}  # session id -> another fetch wanted after this one
        #: Called with (seq, monotonic time) once an event's change is on screen (benchmarks).
        self.on_shown: Any = None
        #: The clock the header's countdown ("next in 3 s") reads; fixed in snapshots.
        self.clock = time.monotonic

    # ------------------------------------------------------------ start

    @property
    def relayed(self) -> bool:
        return bool(self.options.url)

    def start(self) -> None:
        """Called when the app is online (a client exists); once."""
        self.started = True
        self._ticker = self.app.set_interval(1.0, self._tick)
        if self.relayed:
            self.app.run_worker(
                self._run_feed(), group="live-feed", exclusive=True, exit_on_error=False
            )

    def stop(self) -> None:
        """For good (the app closes, or another profile takes over)."""
        self.options.url = ""
        self.pending = []
        self.stopped = True
        if self._ticker is not None:
            self._ticker.stop()
        if self.feed is not None:
            self.feed.stop()

    async def _run_feed(self) -> None:
        from mluvii_tui.live.feed import LiveFeed
        from mluvii_tui.sync.live import resume_point

        store = self.app.store
        last_seq, log_id = resume_point(store)
        try:
            self.feed = LiveFeed(
                self.options.url,
                self.options.token,
                self._on_event,
                last_seq=last_seq,
                log_id=log_id,
                on_gap=self._on_gap,
                on_state=self._on_state,
            )
        except ValueError as exc:  # a bad URL: one line in the header
            self.app.notify(str(exc), title="Relay", severity="error", timeout=12)
            self.options.url = ""
            return
        await self.feed.run()

    # ---------------------------------------------------------- events

    def _on_event(self, event: LiveEvent) -> None:
        if self.stopped:  # the app moved on (another profile): never into its store
            return
        self.pending.append(event)
        if self.paused:
            self._refresh_status()
        elif self._flush_timer is None:  # at once when idle, else BATCH_S after the last
            wait = max(0.001, self._last_flush + BATCH_S - time.monotonic())
            self._flush_timer = self.app.set_timer(wait, self.flush)

    def _on_gap(self, gap: Gap) -> None:
        """Events were lost to this console: read the live sessions from the API again."""
        self.app.run_live_sync()

    def _on_state(self, state: ConnectionState) -> None:
        self.state = state
        self._refresh_status()

    def toggle_pause(self) -> None:
        self.paused = not self.paused
        if not self.paused:
            self.flush()
        self._refresh_status()

    def flush(self) -> None:
        """Apply what is pending: the store write in a thread (keys stay quick), then the
        table on the UI loop; one batch at a time, in order."""
        self._flush_timer = None
        if self.paused or not self.pending or self._applying:
            return
        self._last_flush = time.monotonic()
        events, self.pending = self.pending, []
        self._in_flight = len(events)
        self._applying = True
        self.app.run_worker(self._apply(events), group="live-apply", exit_on_error=False)

    async def _apply(self, events: list[LiveEvent]) -> None:
        import asyncio

        from mluvii_tui.store.store import StoreBusy
        from mluvii_tui.sync.live import apply_events  # the models: not before the first frame

        feed = self.feed
        try:
            done = await asyncio.to_thread(
                apply_events, self.app.store, events, log_id=feed.log_id if feed else None
            )
        except StoreBusy:
            # A sync held the store past its busy timeout (a first sync's indexes): the events
            # go back in front, in order, and are applied once it lets go.
            self.pending[:0] = events
            self.busy = True
            self._refresh_status()
            return
        except Exception as exc:  # a damaged store: one line, the feed goes on
            self.app.notify(f"live update not stored: {exc}", severity="error", timeout=10)
            return
        finally:
            self._applying = False
            self._in_flight = 0
            if self.pending and not self.paused and self._flush_timer is None:
                self._flush_timer = self.app.set_timer(0.001, self.flush)
        if self.busy:
            self.busy = False
            self._refresh_status()
        self.applied += done.events
        if done.ended:
            self.marks.end(done.ended)
        self.show_changes(done.sessions, done.activity)
        if self.on_shown is not None and done.last_seq is not None:
            self.on_shown(events, time.monotonic())

    def show_changes(self, sessions: set[int], activity: set[int]) -> None:
        """Reload the table in place (cursor kept, changed cells marked) and an open detail
        whose session changed."""
        screen = self._sessions_screen()
        if screen is None:
            return
        table = screen.query_one(SessionTable)
        if sessions:  # the rows land from a worker (the header follows), changed cells marked
            self._reload(table)
        detail = screen.open_detail()
        if detail is not None and detail.session_id is not None:
            if detail.session_id in sessions:
                detail.reload()
            elif detail.session_id in activity and detail.session_id in self._fetching:
                self._fetching[detail.session_id] = True
            elif detail.session_id in activity:
                self._fetching[detail.session_id] = False
                self.app.run_worker(
                    self._refresh_session(detail.session_id),
                    group="live-session",
                    exit_on_error=False,
                )

    def _reload(self, table: SessionTable) -> None:
        query = table.query
        also = self.marks.also() if query.view == "live" else ()
        if table.live_marks is None:
            table.live_marks = self.marks
        if also != query.also:
            table.set_query(replace(query, also=also))
        else:
            table.reload()

    async def _refresh_session(self, session_id: int) -> None:
        """A message in the open transcript: fetch that session (only the open one)."""
        client = self.app.client
        again = True
        while again and client is not None:
            self._fetching[session_id] = False
            try:
                session = await client.get_session(session_id)
            except Exception:
                break  # the next event tries again
            self.app.store.upsert_sessions([session])
            self.show_changes({session_id}, set())
            again = self._fetching.get(session_id, False)
        self._fetching.pop(session_id, None)

    # ------------------------------------------------------------ tick

    def _tick(self) -> None:
        screen = self._sessions_screen()
        if screen is None:
            return
        found = screen.query(SessionTable)  # not composed yet on the first tick: nothing to do
        if not found:
            return
        table = found.first()
        if table.live_marks is None:
            table.live_marks = self.marks
        if self.marks.expire(table.current_session_id) and table.query.view == "live":
            self._reload(table)
        if table.query.view == "live":
            table.refresh()  # waiting and elapsed times count up
        if self.options.wait_alert_s > 0:
            self._alert_long_waits()
        screen.update_status_line()

    def _alert_long_waits(self) -> None:
        from mluvii_tui.query.types import SessionQuery

        limit = self.options.wait_alert_s
        now = self.app.now().timestamp()
        query = SessionQuery(view="live")
        for row in self.app.store.window(query, 0, 200):
            start = row["guest_joined"] or row["created"]
            if row["started"] is not None or start is None or row.id in self._alerted:
                continue
            if now - start > limit:
                self._alerted.add(row.id)
                self.app.bell()
                self.app.notify(f"session {row.id} waits for {int(now - start)} s", title="Waiting")

    # ----------------------------------------------------------- header

    def label(self, *, short: bool = False) -> str:
        """The connection state for the header; ``short`` for a narrow one ("● live 12 ms",
        "reconnecting 2", "offline 06:10", "polling 10 s")."""
        if not self.relayed:
            if self.app.client is None:
                return ""
            if short:
                return f"polling {self.app.LIVE_POLL_S:g} s"
            return f"polling every {self.app.LIVE_POLL_S:g} s (no relay)"
        state = self.feed.state if self.feed is not None else self.state
        if state is None:
            return "connecting"
        if short:
            return _short(state)
        label = state.label(self.clock())
        if state.kind == "live":
            return label.replace("live (", "live (relay, ", 1)
        return label

    def banner(self) -> str:
        """'' or the PAUSED banner with the count of waiting events (or the banner of events
        waiting for a store another process holds)."""
        n = len(self.pending) + self._in_flight
        waiting = f"{n:,} update{'s' if n != 1 else ''} waiting"
        if self.paused:
            return f" PAUSED · {waiting} · p resumes "
        if self.busy:
            return f" {waiting} · store busy (sync) "
        return ""

    def _refresh_status(self) -> None:
        screen = self._sessions_screen()
        if screen is not None:
            screen.update_status_line()

    def _sessions_screen(self) -> Any:
        from .sessions import SessionsScreen

        for screen in self.app.screen_stack:
            if isinstance(screen, SessionsScreen) and screen.is_mounted:
                return screen
        return None


def _short(state: ConnectionState) -> str:
    if state.kind == "live":
        return "● live" if state.latency_ms is None else f"● live {state.latency_ms:.0f} ms"
    if state.kind == "reconnecting":
        return f"reconnecting {state.attempt}"
    if state.kind == "offline" and state.offline_since is not None:
        return f"offline {state.offline_since:%H:%M}"
    if state.kind == "refused":
        return state.label()  # the reason stays: a token does not fix itself
    return state.kind  # connecting, stopped
