"""Traffic: clients arrive (``rate`` sessions per minute), queue, are offered and accepted,
write with the operator, sometimes get forwarded, end and go through after-call work; operators
go away and come back. Timing is compressed (a chat lasts a minute or two) and divided by
``speed`` (tests run it faster). ``rate`` 0 stops everything: sessions then change only through
the control endpoints and admin actions. Decisions come from a seeded random stream.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from . import texts as T
from .generator import FastRandom
from .opstate import person
from .roster import ADMIN_USER_ID, GROUP_MEMBERS, GROUPS
from .tenant import Live, LiveTenant
from .transcript import Phrases

TICK = 0.2  # seconds between steps
MAX_QUEUE_WAIT = 180.0  # a client waits at most this long (before speed) before leaving
_VALUES = {
    "order": "OBJ4711001",
    "invoice": "FV2025117",
    "amount": "1 290",
    "date": "12.3.2025",
    "email": "klient@example.cz",
    "num": "48213",
}


class TrafficEngine:
    def __init__(self, tenant: LiveTenant, *, seed: int = 7) -> None:
        self.tenant = tenant
        self.rng = FastRandom(seed * 7 + 11)
        self.rate = 0.0
        self.speed = 1.0
        self._task: asyncio.Task[None] | None = None
        self._next_arrival = 0.0
        self._next_drift = 0.0
        self._burst: asyncio.Task[None] | None = None
        self.burst_sent = 0

    def set(self, rate: float, speed: float | None = None) -> None:
        """Change the traffic (on the server's loop); 0 stops it."""
        self.rate = max(0.0, rate)
        if speed is not None:
            self.speed = max(0.01, speed)
        now = time.monotonic()
        self._next_arrival = now + self._gap(60.0 / self.rate) if self.rate else 0.0
        self._next_drift = now + self._gap(20.0)
        if self.rate and (self._task is None or self._task.done()):
            self._task = asyncio.create_task(self._run())
        elif not self.rate and self._task is not None:
            self._task.cancel()
            self._task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(TICK)
            self.step(time.monotonic())

    async def aclose(self) -> None:
        for task in (self._task, self._burst):
            if task is not None:
                task.cancel()
        self._task = self._burst = None

    # -- a paced stream of chat messages (benchmarks) -----------------------------------------

    def burst(self, rate: float, seconds: float) -> int:
        """Post ``rate`` chat messages per second for ``seconds`` into a few active sessions
        (each a SessionActivityChatMessage webhook); replaces a running burst."""
        if self._burst is not None:
            self._burst.cancel()
        count = int(rate * seconds)
        self._burst = asyncio.create_task(self._run_burst(rate, count))
        return count

    async def _run_burst(self, rate: float, count: int) -> None:
        sids: list[int] = []
        start = time.monotonic()
        for i in range(count):
            delay = start + i / rate - time.monotonic()
            await asyncio.sleep(max(0.0, delay))  # always yields, so webhooks keep flowing
            if not sids or i % 50 == 0:
                sids = self._burst_sessions(sids)
            sid = sids[i % len(sids)]
            self.tenant.message(sid, "Guest" if i % 2 else "User", f"burst message {i}")
            self.burst_sent += 1

    def _burst_sessions(self, old: list[int]) -> list[int]:
        """Eight active sessions (new ones replace any that ended), spread over operators."""
        live = [sid for sid in old if (self.tenant.source.get(sid) or {}).get("status") == "ACTIVE"]
        users = sorted(self.tenant.ops)
        while len(live) < 8:
            s = self.tenant.arrive(("Chat", "Default"))
            if s["status"] != "IN_QUEUE":
                continue
            user = users[(s["id"] + len(live)) % len(users)]
            self.tenant.offer(s["id"], user)
            self.tenant.accept(s["id"], user)
            live.append(s["id"])
        return live

    def _gap(self, mean: float) -> float:
        return self.rng.expovariate(1.0 / mean) / self.speed

    def _in(self, low: float, high: float) -> float:
        return (low + self.rng.random() * (high - low)) / self.speed

    # -- one step ---------------------------------------------------------------------------

    def step(self, now: float) -> None:
        if not self.rate:
            return
        if now >= self._next_arrival:
            self._next_arrival = now + self._gap(60.0 / self.rate)
            self.tenant.arrive()
        if now >= self._next_drift:
            self._next_drift = now + self._gap(20.0)
            self._drift()
        for sid, live in list(self.tenant.live.items()):
            s = self.tenant.source.get(sid)
            if s is None:
                self.tenant.live.pop(sid, None)
                continue
            status = s.get("status")
            plan = live.plan
            if plan.get("status") != status or plan.get("offered") != live.offered_to:
                plan.clear()
                plan.update(status=status, offered=live.offered_to, since=now)
                plan["due"] = now + self._first_delay(status, s)
            if now >= plan["due"]:
                self._advance(s, live, now)

    def _first_delay(self, status: Any, s: dict) -> float:
        if status == "IN_QUEUE":
            return self._in(3, 15)
        if status == "WAITING":
            return self._in(1, 4)
        if status == "ACW":
            return self._in(5, 20)
        return self._in(3, 10)

    def _advance(self, s: dict, live: Live, now: float) -> None:
        status, plan, sid = s.get("status"), live.plan, s["id"]
        if status == "IN_QUEUE":
            user = self._free_operator(live.group_id)
            if user is not None:
                self.tenant.offer(sid, user)
            elif now - plan["since"] > MAX_QUEUE_WAIT / self.speed and self.rng.random() < 0.5:
                self.tenant.end(sid, "Abandoned")
            else:
                plan["due"] = now + self._in(2, 5)
        elif status == "WAITING":
            user = live.offered_to
            state = self.tenant.ops.get(user or -1)
            if state is not None and state.simplified()[0] != "OFFLINE":
                self.tenant.accept(sid, user)  # type: ignore[arg-type]
            else:
                live.offered_to = None
                s["status"] = "IN_QUEUE"
                self.tenant.source.changed(s)
        elif status == "ACTIVE":
            self._talk(s, live, now)
        elif status == "ACW":
            self.tenant.conclude(sid)

    def _talk(self, s: dict, live: Live, now: float) -> None:
        """One turn of the conversation, or its end."""
        plan, sid = live.plan, s["id"]
        ph = live.phrases or Phrases(self.rng, "cs", _VALUES)
        live.phrases = ph
        turn = plan.get("turn", 0)
        plan["turn"] = turn + 1
        plan["due"] = now + self._in(3, 10)
        if s.get("channel") == "Phone":
            if turn >= 2:
                self.tenant.end(sid, "Guest" if self.rng.random() < 0.5 else "User")
            return
        rounds = plan.setdefault("rounds", 2 + int(self.rng.random() * 4))
        user = self.tenant.current_operator(s)
        if turn == 0:
            self.tenant.message(sid, "User", ph.greet(person(user or ADMIN_USER_ID)), user)
        elif turn <= 2 * rounds:
            if turn == 3 and not plan.get("forwarded") and self.rng.random() < 0.12:
                plan["forwarded"] = True
                self._forward(s, live, user)
                return
            if turn % 2:
                self.tenant.message(sid, "Guest", ph.follow_up())
            else:
                self.tenant.message(sid, "User", ph.answer(), user)
        elif turn == 2 * rounds + 1:
            self.tenant.message(sid, "Guest", ph.close_guest())
        elif turn == 2 * rounds + 2:
            self.tenant.message(sid, "User", ph.close_op(), user)
        else:
            self.tenant.end(sid, "Guest" if self.rng.random() < 0.5 else "User")

    def _forward(self, s: dict, live: Live, user: int | None) -> None:
        group = GROUPS[int(self.rng.random() * len(GROUPS))][0]
        if group == live.group_id:
            group = GROUPS[(group - GROUPS[0][0] + 1) % len(GROUPS)][0]
        note = T.FORWARD_NOTES[int(self.rng.random() * len(T.FORWARD_NOTES))]
        self.tenant.forward(s["id"], user or ADMIN_USER_ID, group, None, note)

    def _free_operator(self, group_id: int) -> int | None:
        """The online member of the group with the fewest chats, below capacity."""
        best = None
        for op in GROUP_MEMBERS.get(group_id, ()):
            state = self.tenant.ops.get(op.user_id)
            if state is None or state.simplified()[0] != "ONLINE":
                continue
            if best is None or len(state.active) < len(self.tenant.ops[best].active):
                best = op.user_id
        return best

    def _drift(self) -> None:
        """One operator changes state: away or on a break and back, logs off or on."""
        ops = list(self.tenant.ops.values())
        state = ops[int(self.rng.random() * len(ops))]
        user = state.model["userId"]
        kind = state.kind
        if kind in ("AWAY", "BREAK", "OFFLINE", "DISCONNECTED"):
            self.tenant.set_operator(user, "ONLINE")
        elif not state.active and not state.acw:
            x = self.rng.random()
            if x < 0.45:
                reason = ("Oběd", "Lékař", "Zpět za 10 minut")[int(self.rng.random() * 3)]
                self.tenant.set_operator(user, "AWAY", reason)
            elif x < 0.75:
                name = T.BREAK_NAMES[int(self.rng.random() * len(T.BREAK_NAMES))]
                self.tenant.set_operator(user, "BREAK", name)
            else:
                self.tenant.set_operator(user, "OFFLINE")
