"""Routing tab: the routing timeline, the current state of a live session, the re-route entry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from mluvii_tui.keymap.commands import bindings
from mluvii_tui.text import one_line

from ...api.enums import enum_text
from ...api.models import RoutingOperator, RoutingTimeLine, SessionModel
from .common import between, fmt_clock, fmt_duration, fmt_time


def _op(op: RoutingOperator | None) -> str:
    if op is None:
        return "?"
    name = " ".join(p for p in (op.first_name, op.last_name) if p)
    return one_line(name or (f"operator #{op.user_id}" if op.user_id else "?"), 80)


def _group(event: RoutingTimeLine) -> str:
    g = event.group
    if g is None:
        return "?"
    return one_line(g.name or (f"#{g.id}" if g.id is not None else "?"), 80)


def describe(event: RoutingTimeLine) -> str:
    """One routing event in words."""
    kind = enum_text(event.activity_type)
    by = ""
    if event.forwarded_by_operator is not None:
        by = f" by {_op(event.forwarded_by_operator)}"
    elif event.invited_by_operator is not None:
        by = f" by {_op(event.invited_by_operator)}"
    phone = one_line(event.phone_number or "?", 40)
    texts = {
        "RoutingRequestCreated": "Routing request created",
        "EnteredGroupQueue": f"Entered the queue of group {_group(event)}",
        "GroupQueueTimeoutExpired": f"Queue timeout in group {_group(event)}",
        "LeftGroupQueue": f"Left the queue of group {_group(event)}",
        "AssignedToOperator": f"Offered to {_op(event.operator)}",
        "OperatorTimeoutExpired": f"{_op(event.operator)} did not accept in time",
        "AcceptedByOperator": f"Accepted by {_op(event.operator)}",
        "ForwardedToGroup": f"Forwarded to group {_group(event)}{by}",
        "ForwardedToUser": f"Forwarded to {_op(event.operator)}{by}",
        "ForwardedToPhone": f"Forwarded to phone {phone}{by}",
        "RoutingEnded": "Routing ended",
        "InvitedGroup": f"Group {_group(event)} invited{by}",
        "InvitedUser": f"{_op(event.operator)} invited{by}",
    }
    return texts.get(kind, one_line(kind or "event", 80))


def current_state(events: list[RoutingTimeLine], now: datetime) -> str | None:
    """For a live session: where it is now ('In the queue of group X for 2:31')."""
    ordered = [e for e in events if e.timestamp is not None]
    if not ordered:
        return None
    last = ordered[-1]
    kind = enum_text(last.activity_type)
    since = fmt_duration(between(last.timestamp, now))
    if kind in ("EnteredGroupQueue", "ForwardedToGroup", "OperatorTimeoutExpired"):
        group = next(
            (_group(e) for e in reversed(ordered) if e.group is not None), "an unknown group"
        )
        return f"In the queue of group {group} for {since}"
    if kind == "AssignedToOperator":
        return f"Offered to {_op(last.operator)} for {since}"
    if kind in ("AcceptedByOperator", "ForwardedToUser"):
        return f"With {_op(last.operator)} for {since}"
    if kind == "ForwardedToPhone":
        return f"Forwarded to phone {one_line(last.phone_number or '?', 40)} {since} ago"
    return f"{describe(last)} {since} ago"


def derived_timeline(session: SessionModel) -> list[tuple[datetime | None, str]]:
    """A rough timeline from the session itself, for servers without a routing endpoint."""
    rows: list[tuple[datetime | None, str]] = [(session.created, "Session created")]
    for a in session.activities:
        kind = enum_text(a.type)
        if kind == "SessionForwarded":
            target = a.to_operator_full_name or a.to_group_name or a.to_phone_number or "?"
            rows.append((a.time, f"Forwarded to {one_line(target, 80)}"))
        elif kind == "OperatorInvited":
            rows.append((a.time, f"Invited {one_line(a.to_operator_full_name or '?', 80)}"))
        elif kind == "Handoff":
            rows.append((a.time, "Handed back to routing"))
    for op in session.operators:
        rows.append((op.joined, f"Accepted by {one_line(op.full_name or '?', 80)}"))
    if session.ended:
        rows.append((session.ended, "Routing ended"))
    rows.sort(key=lambda r: r[0].timestamp() if r[0] else 0.0)
    return rows


class RoutingView(VerticalScroll, can_focus=True):
    KEYMAP_SCOPE = "routing"
    BINDINGS = bindings("routing")

    class RerouteRequested(Message):
        """An admin asks to re-route this session (handled by the admin-actions screen)."""

        def __init__(self, session_id: int) -> None:
            super().__init__()
            self.session_id = session_id

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.session_id: int | None = None
        self.live = False

    def compose(self) -> ComposeResult:
        yield Static(Text("", style="bold"), id="routing-state", markup=False)
        yield Static(Text("Loading…", style="dim"), id="routing-body", markup=False)

    def set_events(
        self,
        session: SessionModel,
        events: list[RoutingTimeLine] | None,
        now: datetime,
        *,
        live: bool,
        note: str = "",
    ) -> None:
        self.session_id = session.id
        self.live = live
        body = Text()
        if note:
            body.append(one_line(note, 300) + "\n\n", style="dim")
        if events:
            events = sorted(events, key=lambda e: e.timestamp.timestamp() if e.timestamp else 0)
            for e in events:
                body.append(f"{fmt_time(e.timestamp)}  ", style="dim")
                body.append("● ", style="#5fafff")
                body.append(describe(e) + "\n")
        else:
            body.append("Timeline derived from the session:\n", style="italic dim")
            for when, what in derived_timeline(session):
                body.append(f"{fmt_time(when)}  ", style="dim")
                body.append("○ ", style="dim")
                body.append(what + "\n")
        state = Text()
        if live:
            now_text = current_state(events or [], now) if events else None
            state.append("Now: ", style="bold")
            state.append(now_text or f"live ({enum_text(session.status)})")
            state.append(f"   at {fmt_clock(now)}   R re-route", style="dim")
        else:
            state.append(f"Ended {fmt_time(session.ended)}", style="dim")
        self.query_one("#routing-state", Static).update(state)
        self.query_one("#routing-body", Static).update(body)

    def action_reroute(self) -> None:
        if self.session_id is None:
            return
        if not self.live:
            self.notify("Only a live session can be re-routed", severity="warning")
            return
        self.post_message(self.RerouteRequested(self.session_id))
