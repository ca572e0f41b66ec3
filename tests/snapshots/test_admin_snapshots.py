"""SVG snapshots of the admin dialogs (re-route, bulk result, contact, ban) and the Blacklist
screen, with fixed data (no server): 130x36, UTC, the default dark theme."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from textual.app import App
from textual.screen import Screen

from mluvii_tui.actions.permissions import Permissions
from mluvii_tui.actions.runner import Outcome
from mluvii_tui.api.admin_models import (
    Availability,
    BanEntry,
    ContactRule,
    GroupAvailability,
    MessageTemplate,
    OperatorAvailability,
)
from mluvii_tui.api.models import parse_session
from mluvii_tui.screens.ban import BanDialog
from mluvii_tui.screens.blacklist import BlacklistScreen
from mluvii_tui.screens.bulk_reroute import BulkResult
from mluvii_tui.screens.contact import ContactDialog
from mluvii_tui.screens.reroute import RerouteDialog
from test_detail_support import CSS

SIZE = (130, 36)
NOW = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)


class DialogApp(App[None]):
    CSS_PATH = str(CSS)

    def __init__(self, screen: Screen[Any]) -> None:
        super().__init__()
        self.theme = "textual-dark"
        self.permissions = Permissions()
        self.client = None
        self.dialog = screen

    def on_mount(self) -> None:
        self.push_screen(self.dialog)


async def settle(pilot: Any) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


AVAILABILITY = Availability(
    groups=[
        GroupAvailability(id=11, name="Zákaznická podpora", operators_online=3, operators_away=2,
                          clients_waiting=4, longest_wait=timedelta(minutes=2, seconds=31)),
        GroupAvailability(id=12, name="Obchod", operators_online=1, operators_busy=1,
                          operators_away=3),
        GroupAvailability(id=15, name="English Desk", operators_offline=4),
    ],
    operators=[
        OperatorAvailability(user_id=101, first_name="Jana", last_name="Nováková",
                             group_ids=[11], status="ONLINE"),
        OperatorAvailability(user_id=105, first_name="Kateřina", last_name="Procházková",
                             group_ids=[11], status="AWAY", availability_status_reason="Oběd"),
        OperatorAvailability(user_id=106, first_name="Jiří", last_name="Kučera",
                             group_ids=[12], status="BUSY", active_sessions=3),
        OperatorAvailability(user_id=107, first_name="Markéta", last_name="Veselá",
                             group_ids=[12], status="ONLINE", acw_sessions=1),
        OperatorAvailability(user_id=121, first_name="Emma", last_name="Walker",
                             group_ids=[15], status="OFFLINE"),
    ],
)  # fmt: skip


async def _availability() -> Availability:
    return AVAILABILITY


def test_reroute_dialog(snap_compare) -> None:
    app = DialogApp(RerouteDialog("Re-route session 4242", _availability))
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_bulk_result(snap_compare) -> None:
    outcomes = [
        Outcome("forward", "", "k1", "done", session_id=3000101),
        Outcome("forward", "", "k2", "refused", "Session 3000102 has ended; only a live "
                "session can be re-routed. (HTTP 409)", session_id=3000102),
        Outcome("forward", "", "k3", "unknown", "outcome unknown: POST …/forward: the server "
                "closed the connection", session_id=3000103),
    ]  # fmt: skip

    async def retry(failed: list[Outcome]) -> list[Outcome]:
        return failed

    app = DialogApp(BulkResult("Re-route to group Obchod (#12)", outcomes, retry))
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_contact_dialog_template_only(snap_compare) -> None:
    rule = ContactRule(
        session_id=4242, source="WhatsApp", allowed=True, template_only=True,
        rule="WhatsApp: free text within 24 h of the client's last message, then only a template.",
        reason="24 h window closed 3 h 0 min ago: only a template can be sent.",
    )  # fmt: skip
    templates = [
        MessageTemplate(id=1, name="order_update", channel="WhatsApp", language="cs",
                        text="Dobrý den, k vaší objednávce {{1}} máme nové informace.",
                        params=["order_number"]),
        MessageTemplate(id=3, name="follow_up_en", channel="WhatsApp", language="en",
                        text="Hello, we are following up on your question from {{1}}.",
                        params=["date"]),
    ]  # fmt: skip

    async def load_rule() -> ContactRule:
        return rule

    async def load_templates() -> list[MessageTemplate]:
        return templates

    app = DialogApp(ContactDialog(4242, load_rule, load_templates))
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_ban_dialog(snap_compare) -> None:
    session = parse_session(
        {"id": 4242, "channel": "Chat", "source": "WhatsApp", "status": "CLOSED",
         "phoneCallbackNumber": "+420777123456", "guest": {"channelIdentity": 99}}
    )  # fmt: skip
    assert session is not None

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press(*"Threats to staff")

    app = DialogApp(BanDialog(session, now=NOW))
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_blacklist_screen(snap_compare) -> None:
    day = timedelta(days=1)
    bans = [
        BanEntry(id=501, channel="Mluvii", ip_address="203.0.113.7", tracked_id="c-81f2",
                 reason="Vulgarity", created=NOW - day, expires=NOW + 6 * day),
        BanEntry(id=502, channel="Phone", phone_number="+420777000111", reason="Prank calls",
                 created=NOW - 3 * day),
        BanEntry(id=498, channel="WhatsApp", phone_number="+420603555222", reason="Spam [b]x[/b]",
                 created=NOW - 10 * day, expires=NOW - 3 * day, active=False),
        BanEntry(id=497, channel="Facebook", channel_user_id="884422", reason="Abuse",
                 created=NOW - 12 * day, active=False, deactivated=NOW - 2 * day),
    ]  # fmt: skip

    async def load() -> list[BanEntry]:
        return bans

    app = DialogApp(BlacklistScreen(load))
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)
