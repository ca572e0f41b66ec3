"""The live tenant: sessions that change and operators whose state follows them.

Every change updates the session dict in the ``SessionSource`` first (so ``GET`` already shows
it) and then publishes its webhooks, in mluvii's documented order (reference §4.4):
SessionCreated -> SessionStarted -> SessionOperatorJoined -> (SessionForwarded) -> SessionEnded
-> SessionOperatorLeft -> SessionOperatorConcluded, with SessionActivity* events in between.
Timing and decisions (who accepts, when the client writes) belong to ``engine.TrafficEngine``,
tests and admin actions; this module only applies them. Everything runs on the server's loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import events as E
from .blacklist import Blacklist
from .clock import SimClock
from .entries import op_entry
from .generator import FastRandom
from .opstate import OpState, person
from .roster import (
    ADMIN_USER_ID,
    GROUP_NAME,
    OPERATOR_BY_ID,
    SIM_ORIGIN,
    operator_states_json,
)
from .session_builder import SessionBuilder
from .source import SessionSource
from .timefmt import duration, parse_epoch
from .transcript import Phrases

LIVE = ("IN_QUEUE", "WAITING", "ACTIVE", "ACW")


@dataclass
class Live:
    """What the tenant remembers about a live session besides its JSON."""

    sid: int
    group_id: int
    queued_at: float | None = None  # epoch of entering the current queue
    offered_to: int | None = None
    phrases: Phrases | None = None
    plan: dict[str, Any] = field(default_factory=dict)  # the engine's notes


class LiveTenant:
    def __init__(
        self,
        source: SessionSource,
        clock: SimClock,
        publish: Callable[[str, dict[str, Any]], None],
        seed: int = 7,
    ) -> None:
        self.source = source
        self.clock = clock
        self.publish = publish
        self.blacklist = Blacklist()
        self.rng = FastRandom(seed * 1009 + 3)
        self.builder = SessionBuilder(self.rng, clock.now(), SIM_ORIGIN)
        self.live: dict[int, Live] = {}
        self.ops: dict[int, OpState] = {
            m["userId"]: OpState(m) for m in operator_states_json(seed, clock.now())
        }
        self._adopted = False
        if source.done:
            self.adopt()

    # -- start-up ---------------------------------------------------------------------------

    def adopt(self) -> None:
        """Take over the generated data's live sessions (once, when all are made); their
        operators are logged in."""
        if self._adopted:
            return
        self._adopted = True
        for s in self.source.live_sessions():
            ops = [o for o in s.get("operators") or [] if o.get("userId") in self.ops]
            group = OPERATOR_BY_ID[ops[0]["userId"]].group_id if ops else 11
            live = Live(s["id"], group, parse_epoch(s.get("created")))
            self.live[s["id"]] = live
            for o in ops:
                state = self.ops[o["userId"]]
                if state.kind in ("OFFLINE", "DISCONNECTED", "AWAY", "BREAK"):
                    self._set_kind(state, "ONLINE", None, publish=False)
                if o.get("left") is None:
                    state.active.add(s["id"])
                elif o.get("concluded") is None:
                    state.acw.add(s["id"])
        for user_id in self.ops:  # "on call" without a call: the state follows the sessions
            self._refresh(user_id, publish=False)

    # -- sessions ---------------------------------------------------------------------------

    def arrive(
        self,
        kind: tuple[str, str] | None = None,
        group_id: int | None = None,
        guest: dict[str, Any] | None = None,
        outbound: bool = False,
    ) -> dict:
        """A client arrives and enters a queue (or is refused by an active ban). ``outbound``:
        the tenant contacts the client, so the session starts without the client's words."""
        now = self.clock.now()
        sid = self.source.next_id(self.rng)
        self.builder.now = now
        s = self.builder.session(sid, now - 8, "IN_QUEUE", None, kind)
        phrases = self.builder.last_phrases
        _apply_guest(s, guest or {})
        if outbound:
            s["activities"] = []
        ban = self.blacklist.match(s, now)
        if ban is not None:
            return self._refuse(s, now)
        self.source.add(s)
        group = group_id or (15 if phrases.en else 11 + int(self.rng.random() * 4))
        self.live[sid] = Live(sid, group, now, phrases=phrases)
        self.publish(*E.created(s))
        self.publish(*E.started(s, s["created"]))
        for act in s["activities"]:
            self._publish_activity(sid, act)
        return s

    def _refuse(self, s: dict, now: float) -> dict:
        stamp = self.clock.stamp(now)
        s.update(status="BLACKLISTED", blacklisted=True, ended=stamp)
        s["guestLeftSession"] = "LeftBeforeQueue"
        s["activities"] = []  # a banned client never reaches a queue
        self._add(s, "SessionEnded", "Guest", stamp, terminationReason="UnknownReason")
        self.source.add(s)
        self.publish(*E.created(s))
        self.publish(*E.ended(s))
        return s

    def offer(self, sid: int, user_id: int) -> None:
        s, live = self._session(sid), self.live[sid]
        live.offered_to = user_id
        s["status"] = "WAITING"
        self.source.changed(s)

    def accept(self, sid: int, user_id: int) -> None:
        s, live = self._session(sid), self.live[sid]
        now = self.clock.now()
        stamp = self.clock.stamp(now)
        s["operators"].append(op_entry(person(user_id), stamp))
        if s.get("started") is None:
            s["started"] = stamp
            created = parse_epoch(s.get("created")) or now
            s["waited"] = duration(now - created)
        s["status"] = "ACTIVE"
        s["guestLeftSession"] = "StillConnected"
        live.offered_to, live.queued_at = None, None
        act = self._add(s, "Joined", "User", stamp, userId=user_id)
        self.source.changed(s)
        self.publish(*E.operator("Joined", s, user_id, stamp))
        self._publish_activity(sid, act)
        if user_id in self.ops:
            self.ops[user_id].active.add(sid)
            if s.get("channel") == "Phone":
                self.ops[user_id].phone.add(sid)
            self._refresh(user_id)

    def message(self, sid: int, client: str, text: str, user_id: int | None = None) -> dict:
        s = self._session(sid)
        fields: dict[str, Any] = {"text": text}
        if client == "User":
            fields["userId"] = user_id or self.current_operator(s) or ADMIN_USER_ID
            if s.get("source") == "WhatsApp":
                fields["status"] = "Delivered"
        act = self._add(s, "ChatMessage", client, self.clock.stamp(), **fields)
        self.source.changed(s)
        self._publish_activity(sid, act)
        return act

    def forward(
        self, sid: int, by_user: int, group_id: int | None, user_id: int | None, note: str | None
    ) -> None:
        s, live = self._session(sid), self.live[sid]
        stamp = self.clock.stamp()
        fields: dict[str, Any] = {"userId": by_user, "note": note}
        if group_id is not None:
            fields.update(toGroupId=group_id, toGroupName=GROUP_NAME.get(group_id))
        else:
            target = person(user_id or 0)
            fields.update(toOperatorUserId=target.user_id, toOperatorFullName=target.full_name)
        act = self._add(s, "SessionForwarded", "User", stamp, **fields)
        leaving = [o for o in s["operators"] if o.get("left") is None]
        left_acts = []
        for o in leaving:
            o["left"] = o["concluded"] = stamp
            left_acts.append(self._add(s, "Left", "User", stamp, userId=o["userId"]))
        live.group_id = group_id or person(user_id or 0).group_id
        live.queued_at = self.clock.now()
        live.offered_to = user_id
        s["status"] = "WAITING" if user_id is not None else "IN_QUEUE"
        self.source.changed(s)
        self._publish_activity(sid, act)
        self.publish(*E.forwarded(s, stamp, user_id, group_id))
        for o in leaving:
            self.publish(*E.operator("Concluded", s, o["userId"], stamp))
            self._release(o["userId"], sid)

    def end(self, sid: int, by: str = "Guest") -> None:
        """The session ends: ``by`` Guest (left), User (operator ended) or Abandoned (queue)."""
        s = self._session(sid)
        now = self.clock.now()
        stamp = self.clock.stamp(now)
        present = [o for o in s["operators"] if o.get("left") is None]
        reason, client = {
            "Guest": ("GuestLeft", "Guest"),
            "User": ("OperatorLeft", "User"),
            "Abandoned": ("GuestAbandoned", "Guest"),
        }[by]
        fields: dict[str, Any] = {"terminationReason": reason}
        if client == "User" and present:
            fields["userId"] = present[-1]["userId"]
        act = self._add(s, "SessionEnded", client, stamp, **fields)
        s["ended"] = stamp
        started = parse_epoch(s.get("started"))
        s["length"] = duration(now - started) if started is not None else None
        if started is None:
            created = parse_epoch(s.get("created")) or now
            s["waited"] = duration(now - created)
        s["guestLeftSession"] = (
            "LeftQueue"
            if started is None
            else "LeftSession"
            if by == "Guest"
            else "LeftAfterSession"
        )
        for o in present:
            o["left"] = stamp
        if present:
            self._add(s, "Left", "User", stamp, userId=present[-1]["userId"])
            for o in present[:-1]:
                o["concluded"] = stamp
        s["status"] = "ACW" if present else "CLOSED"
        self.source.changed(s)
        self._publish_activity(sid, act)
        self.publish(*E.ended(s))
        if present:
            last = present[-1]["userId"]
            self.publish(*E.operator("Left", s, last, stamp))
            for o in present[:-1]:
                self.publish(*E.operator("Concluded", s, o["userId"], stamp))
                self._release(o["userId"], sid)
            if last in self.ops:
                self.ops[last].active.discard(sid)
                self.ops[last].phone.discard(sid)
                self.ops[last].acw.add(sid)
                self._refresh(last)
        else:
            self.live.pop(sid, None)

    def conclude(self, sid: int) -> None:
        """After-call work is over: the session is closed."""
        s = self._session(sid)
        if s.get("status") != "ACW":
            return
        stamp = self.clock.stamp()
        pending = [o for o in s["operators"] if o.get("concluded") is None]
        for o in pending:
            o["concluded"] = stamp
        s["status"] = "CLOSED"
        self.source.changed(s)
        self.live.pop(sid, None)
        for o in pending:
            self.publish(*E.operator("Concluded", s, o["userId"], stamp))
            self._release(o["userId"], sid)

    def mark_blacklisted(self, ban_match: Callable[[dict], bool]) -> list[int]:
        """Set ``blacklisted`` on every session of a banned client; their ids."""
        marked = []
        for s in self.source.all_sessions():
            if not s.get("blacklisted") and ban_match(s):
                s["blacklisted"] = True
                self.source.changed(s)
                self.publish(*E.refetch("GuestIdentityUpdated", s))
                marked.append(s["id"])
        return marked

    # -- operators --------------------------------------------------------------------------

    def set_operator(self, user_id: int, kind: str, reason: str | None = None) -> None:
        state = self.ops[user_id]
        self._set_kind(state, kind, reason)
        self._refresh(user_id)

    def _set_kind(
        self, state: OpState, kind: str, reason: str | None, publish: bool = True
    ) -> None:
        before = state.simplified()
        state.model.update(
            stateKind=kind,
            note=reason if kind == "AWAY" else None,
            breakStateId=None,
            breakStateName=reason if kind == "BREAK" else None,
            isBreakStatePaid=None if kind != "BREAK" else True,
            changed=self.clock.stamp(),
        )
        if publish and state.simplified() != before:
            self.publish(*E.user_status(state.model["userId"], *state.simplified()))

    def _refresh(self, user_id: int, publish: bool = True) -> None:
        """Follow the operator's sessions: on call, after-call work, online."""
        state = self.ops.get(user_id)
        if state is None or state.kind in ("OFFLINE", "DISCONNECTED", "AWAY", "BREAK"):
            return
        before = state.simplified()
        kind = (
            "ON_CALL" if state.phone
            else "ONLINE" if state.active
            else "AFTER_CALL" if state.acw
            else "ONLINE"
        )  # fmt: skip
        if kind != state.kind:
            state.model.update(stateKind=kind, changed=self.clock.stamp())
        if publish and state.simplified() != before:
            self.publish(*E.user_status(user_id, *state.simplified()))

    def _release(self, user_id: int, sid: int) -> None:
        state = self.ops.get(user_id)
        if state is not None:
            state.active.discard(sid)
            state.acw.discard(sid)
            state.phone.discard(sid)
            self._refresh(user_id)

    def operator_states(self) -> list[dict]:
        return [dict(state.model) for state in self.ops.values()]

    # -- helpers ----------------------------------------------------------------------------

    def current_operator(self, s: dict) -> int | None:
        present = [o["userId"] for o in s.get("operators") or [] if o.get("left") is None]
        return present[-1] if present else None

    def _session(self, sid: int) -> dict:
        s = self.source.get(sid)
        if s is None:
            raise KeyError(sid)
        return s

    def _add(self, s: dict, type_: str, client: str, stamp: str, **fields: Any) -> dict:
        acts = s["activities"]
        next_id = max((a.get("activityId") or 0 for a in acts), default=s["id"] * 1000) + 1
        act = {"activityId": next_id, "time": stamp, "type": type_, "client": client, **fields}
        acts.append(act)
        return act

    def _publish_activity(self, sid: int, act: dict) -> None:
        event = E.activity(sid, act)
        if event is not None:
            self.publish(*event)


def _apply_guest(s: dict, guest: dict[str, Any]) -> None:
    """Put a given client identity (tests, a contacted client) into a new session."""
    g = s["guest"]
    for key in ("ipAddress", "trackedId", "identity"):
        if guest.get(key) is not None:
            g[key] = guest[key]
    if guest.get("channelUserId") is not None:
        value = str(guest["channelUserId"])
        g["channelIdentity"] = int(value) if value.isdigit() else value
    phone = guest.get("phoneNumber")
    if phone is not None:
        g["callParams"]["oo1_guest_phone"] = phone
        g["callParams"]["phone"] = phone
        if s.get("channel") == "Phone":
            s["phoneCallbackNumber"] = phone
    for key, value in (guest.get("callParams") or {}).items():
        g["callParams"][key] = value
