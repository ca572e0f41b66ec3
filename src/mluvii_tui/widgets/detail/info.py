"""General-information tab: ids, times, channel, operators, client, feedback, web-app link."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from mluvii_tui.keymap.commands import bindings
from mluvii_tui.text import one_line

from ...api.enums import LIVE_STATUSES, enum_text
from ...api.models import SessionModel
from .common import DASH, between, fmt_duration, fmt_time, value_text

Row = tuple[str, Any]


def web_link(session: SessionModel, domain: str | None) -> str | None:
    """``{domain}/app/{companyId}/{tenantId}/sessions/{id}`` when everything is known."""
    if not domain or session.company_id is None or session.department_id is None:
        return None
    base = domain.strip().rstrip("/")
    if "://" not in base:
        base = "https://" + base
    return f"{base}/app/{session.company_id}/{session.department_id}/sessions/{session.id}"


def _ended_by(session: SessionModel) -> str:
    for activity in reversed(session.activities):
        if enum_text(activity.type) == "SessionEnded":
            client = enum_text(activity.client)
            if client == "Guest":
                return "the client"
            if activity.user_id is not None:
                names = {o.user_id: o.full_name for o in session.operators}
                return names.get(activity.user_id) or f"operator #{activity.user_id}"
            return client.lower() or DASH
    return DASH


def sections(session: SessionModel, now: datetime, domain: str | None) -> list[tuple[str, list]]:
    """The tab's content as (section title, rows); rows are (label, value) or a Text line."""
    s = session
    g = s.guest
    live = enum_text(s.status) in LIVE_STATUSES
    waited = s.waited or between(s.created, s.started or (now if live else s.ended))
    length = s.length or (between(s.started, now) if live and s.started else None)
    params = {k.lower(): v for k, v in g.call_params.items()}
    ident: list[Row] = [
        ("Session id", s.id),
        ("Company / tenant", f"{s.company_id or DASH} / {s.department_id or DASH}"),
        ("Status", enum_text(s.status)),
        ("Channel", enum_text(s.channel)),
        ("Source", enum_text(s.source)),
        ("Widget", s.widget),
        ("Entry URL", s.url),
        ("Campaign", s.campaign_id),
    ]
    times: list[Row] = [
        ("Created", fmt_time(s.created)),
        ("Client joined", fmt_time(s.guest_joined)),
        ("Accepted", fmt_time(s.started)),
        ("Ended", fmt_time(s.ended) if s.ended else ("ongoing" if live else DASH)),
        ("Wait time", fmt_duration(waited)),
        ("Length", fmt_duration(length)),
    ]
    ops: list[Any] = []
    for op in s.operators:
        detail = Text(f"joined {fmt_time(op.joined)}")
        detail.append(f", left {fmt_time(op.left)}" if op.left else ", still in the session")
        if op.concluded:
            acw = between(op.left, op.concluded)
            detail.append(f", ACW done {fmt_time(op.concluded)} ({fmt_duration(acw)})")
        ops.append((one_line(op.full_name or DASH, 40), detail))
        if op.note:
            ops.append(("  note", op.note))
    for bot in s.chatbots:
        name = one_line(bot.name or f"Chatbot #{bot.chatbot_id}", 40)
        ops.append((f"{name} (bot)", f"joined {fmt_time(bot.joined)}, left {fmt_time(bot.left)}"))
    for rev in s.reviewers:
        name = " ".join(p for p in (rev.first_name, rev.last_name) if p) or rev.user_name
        ops.append((f"Reviewer {one_line(name or DASH, 40)}", rev.note))
    client: list[Row] = [
        ("Name", params.get("name") or params.get("oo1_guest_name")),
        ("E-mail", params.get("email") or params.get("oo1_guest_email")),
        ("Phone", params.get("phone") or params.get("oo1_guest_phone") or s.phone_callback_number),
        ("IP address", g.ip_address),
        ("Browser", enum_text(g.browser)),
        ("OS", enum_text(g.os)),
        ("Language", g.language),
        ("Identity", g.identity),
        ("A/V support", enum_text(s.av_support)),
    ]
    stars = s.guest_feedback_stars
    scale = enum_text(s.guest_feedback_scale)
    outcome: list[Row] = [
        ("Tags", ", ".join(one_line(t.name, 60) for t in s.tags if t.name)),
        ("Rating", f"{stars} ({scale})" if stars is not None else None),
        ("Feedback", s.guest_feedback_text),
        ("Blacklisted", bool(s.blacklisted)),
        ("End reason", s.termination_reason),
        ("Ended by", _ended_by(s) if s.ended else None),
        ("Client left", enum_text(s.guest_left_session)),
        ("Recordings", enum_text(s.recordings_state) or (len(s.recordings or []) or None)),
    ]
    link = web_link(s, domain)
    out: list[tuple[str, list]] = [
        ("Session", ident),
        ("Times", times),
        ("Operators and chatbots", ops or [("", "none")]),
        ("Client", client),
        ("Outcome", outcome),
    ]
    out.append(("Web app", [("Link", link or "unknown (no web app domain configured)")]))
    return out


def render_sections(data: list[tuple[str, list]]) -> Group:
    parts: list[Any] = []
    for title, rows in data:
        parts.append(Text(title, style="bold reverse"))
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True, min_width=16, max_width=30)
        table.add_column(overflow="fold")
        for row in rows:
            if isinstance(row, Text):
                table.add_row(row, "")
            else:
                label, value = row
                shown = value if isinstance(value, Text) else value_text(value, 2000)
                table.add_row(Text(label), shown)
        parts.append(table)
        parts.append(Text(""))
    return Group(*parts)


class InfoView(VerticalScroll, can_focus=True):
    KEYMAP_SCOPE = "info"
    BINDINGS = bindings("info")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.link: str | None = None

    def compose(self):  # type: ignore[override]
        yield Static(Text("Loading…", style="dim"), id="info-body", markup=False)

    def set_session(
        self, session: SessionModel, now: Callable[[], datetime], domain: str | None
    ) -> None:
        self.link = web_link(session, domain)
        self.query_one("#info-body", Static).update(
            render_sections(sections(session, now(), domain))
        )

    def action_copy_link(self) -> None:
        if self.link:
            if self.app.copy_to_clipboard(self.link) is not False:  # False: the app said why
                self.notify("Copied the web-app link", timeout=2)
        else:
            self.notify("No web-app link: the domain is not configured", severity="warning")
