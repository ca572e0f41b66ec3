"""Fan-out: one tail of the event log feeds every connected console.

The hub follows the log (``EventLog.wait_after``), so with Redis every relay fans out every
relay's events. It keeps the newest ``ring_size`` entries in memory; a console resuming from
within the ring is served from memory, an older one pages through the log first. Each console has
a bounded backlog of frames not yet written; past ``max_backlog`` (a consumer that does not read),
the backlog is dropped and the console is closed with a reason: memory stays flat, and the console
resumes from the last sequence number it applied.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable

from mluvii_tui.live.relay.log import EventLog, LogEntry, StoreError

log = logging.getLogger("mluvii_tui.relay")

CLOSE_TOO_SLOW = 4008  # the console fell behind: resume from your seq
CLOSE_BAD_TOKEN = 4401
CLOSE_BAD_REQUEST = 4400
CLOSE_GOING_AWAY = 1001


class Console:
    """One websocket consumer: frames waiting to be written, and why it must go (if it must).

    The backlog is bounded by count and by bytes (frames with whole sessions can be large)."""

    __slots__ = ("closing", "gone", "max_backlog", "max_bytes", "pending", "pending_bytes", "wake")

    def __init__(self, max_backlog: int, max_bytes: int = 32 * 2**20) -> None:
        self.pending: deque[str] = deque()
        self.pending_bytes = 0
        self.wake = asyncio.Event()  # frames are waiting (or it must close)
        self.gone = asyncio.Event()  # it must close: ``closing`` says why
        self.closing: tuple[int, str] | None = None
        self.max_backlog = max_backlog
        self.max_bytes = max_bytes

    def push(self, frame: str) -> bool:
        """Queue a frame; False (and the backlog dropped) once the console is over its bound."""
        if self.closing is not None:
            return False
        if len(self.pending) >= self.max_backlog or self.pending_bytes > self.max_bytes:
            self.pending.clear()
            self.pending_bytes = 0
            self.close(CLOSE_TOO_SLOW, f"too slow: {self.max_backlog}+ events behind; resume")
            return False
        self.pending.append(frame)
        self.pending_bytes += len(frame)
        self.wake.set()
        return True

    def pop(self) -> str:
        frame = self.pending.popleft()
        self.pending_bytes -= len(frame)
        return frame

    def close(self, code: int, reason: str) -> None:
        if self.closing is None:
            self.closing = (code, reason)
        self.wake.set()
        self.gone.set()


class Hub:
    def __init__(
        self,
        event_log: EventLog,
        *,
        ring_size: int = 2048,
        ring_bytes: int = 16 * 2**20,
        max_backlog: int = 4096,
        on_entry: Callable[[LogEntry], None] | None = None,
    ) -> None:
        self.log = event_log
        self.ring: deque[LogEntry] = deque(maxlen=ring_size)
        self.ring_seqs: deque[int] = deque(maxlen=ring_size)
        self.ring_bytes = 0
        self.max_ring_bytes = ring_bytes
        self.head = 0
        self.max_backlog = max_backlog
        self.consoles: set[Console] = set()
        self.on_entry = on_entry
        self.store_state = "starting"
        self.dispatched = 0
        self._seconds: deque[list[int]] = deque(maxlen=12)  # [second, events dispatched]
        self.dropped_slow = 0

    async def start(self, replay: tuple[str, Callable[[LogEntry], None]] | None = None) -> None:
        """Position at the end of the log and fill the ring; ``replay = (event type, fn)``
        passes every kept entry of that type to ``fn`` first (the operator table)."""
        first, last = await self.log.bounds()
        if replay is not None:
            event_type, apply = replay
            cursor = max(0, first - 1)
            while page := await self.log.read_type_after(event_type, cursor, 1000):
                for entry in page:
                    apply(entry)
                cursor = page[-1].seq
        cursor = max(0, first - 1, last - (self.ring.maxlen or 0))
        while page := await self.log.read_after(cursor, 1000):
            for entry in page:
                self._remember(entry)
            cursor = page[-1].seq
        self.head = max(last, cursor)
        self.store_state = "ok"

    def _remember(self, entry: LogEntry) -> None:
        if len(self.ring) == self.ring.maxlen:
            self.ring_bytes -= len(self.ring[0].body)
        self.ring.append(entry)
        self.ring_seqs.append(entry.seq)
        self.ring_bytes += len(entry.body)
        while self.ring_bytes > self.max_ring_bytes and len(self.ring) > 1:
            self.ring_bytes -= len(self.ring.popleft().body)
            self.ring_seqs.popleft()

    async def follow(self) -> None:
        """Run forever: dispatch each new log entry to every console."""
        while True:
            try:
                entries = await self.log.wait_after(self.head, 1.0, 500)
            except StoreError as exc:
                if not self.store_state.startswith("error"):
                    log.warning("%s", exc)  # once per outage, not once a second
                self.store_state = f"error: {exc}"
                await asyncio.sleep(1.0)
                continue
            if self.store_state != "ok":
                log.info("event log %s is back", self.log.where)
            self.store_state = "ok"
            for entry in entries:
                if entry.seq <= self.head:
                    continue
                self.head = entry.seq
                self._remember(entry)
                if self.on_entry is not None:
                    self.on_entry(entry)
                frame = entry.frame()
                for console in list(self.consoles):
                    if not console.push(frame):
                        self.consoles.discard(console)
                        self.dropped_slow += 1
            if entries:
                self._count(len(entries))

    def _count(self, n: int) -> None:
        self.dispatched += n
        second = int(time.monotonic())
        if self._seconds and self._seconds[-1][0] == second:
            self._seconds[-1][1] += n
        else:
            self._seconds.append([second, n])

    def events_per_second(self) -> float:
        """Events dispatched per second over the last 10 full seconds."""
        now = int(time.monotonic())
        return sum(n for second, n in self._seconds if now - 10 <= second < now) / 10

    def attach_from(self, console: Console, after: int) -> bool:
        """Attach ``console`` if the ring holds everything after seq ``after``: queue those
        entries and subscribe it to live ones, in one step (no await: nothing slips between)."""
        if after >= self.head:
            self.consoles.add(console)
            return True
        if not self.ring_seqs or after < self.ring_seqs[0] - 1:
            return False
        if self.head - after > console.max_backlog // 2:
            return False  # that far behind: page through the log, paced by the socket
        start = bisect.bisect_right(self.ring_seqs, after)
        for index in range(start, len(self.ring)):
            frame = self.ring[index].frame()
            console.pending.append(frame)
            console.pending_bytes += len(frame)
        console.wake.set()
        self.consoles.add(console)
        return True

    def detach(self, console: Console) -> None:
        self.consoles.discard(console)

    def shutdown(self) -> None:
        for console in list(self.consoles):
            console.close(CLOSE_GOING_AWAY, "relay shutting down")
        self.consoles.clear()


async def cancel(task: asyncio.Task[object] | None) -> None:
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
