"""The admin actions in the console (Pilot, the real app against the simulator): who-am-I in the
header, operator vs admin, re-route from the table and its refusals, double confirm, network
failure mid-action, bulk re-route with mixed outcomes and retry, read-only, the audit log."""

from __future__ import annotations

import pytest
from textual.widgets import Input, OptionList

from admin_support import copy_in, has_toast, live, make_app, requests, select, settle, toasts
from mluvii_tui.demo.runner import Simulator
from mluvii_tui.screens.audit_log import AuditLogScreen
from mluvii_tui.screens.bulk_reroute import BulkResult
from mluvii_tui.screens.confirm_action import ConfirmAction
from mluvii_tui.screens.reroute import RerouteDialog
from mluvii_tui.screens.sessions import SessionsScreen
from mluvii_tui.widgets.session_table import SessionTable


@pytest.fixture(scope="module")
def sim():
    with Simulator(sessions=40, seed=3) as simulator:
        yield simulator


def status_line(app) -> str:
    return str(app.screen.query_one("#status-line").render())


async def choose(pilot, text: str) -> None:
    """In the re-route dialog: type a filter, take the first match."""
    assert isinstance(pilot.app.screen, RerouteDialog)
    await settle(pilot)
    pilot.app.screen.query_one("#reroute-filter", Input).value = text
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


async def test_admin_reroutes_a_live_session_from_the_table(sim, ctl, tmp_path):
    sid = live(ctl)
    app = make_app(sim, tmp_path)
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await settle(pilot)
        assert "(administrator)" in status_line(app)
        copy_in(app, ctl, sid)
        await select(pilot, sid)
        await pilot.press("R")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, RerouteDialog)
        options = dialog.query_one("#reroute-targets", OptionList)
        assert options.option_count > 10  # groups and operators with availability
        app.screen.query_one("#reroute-note", Input).value = "VIP, call back"
        await choose(pilot, "obchod")
        confirm = app.screen
        assert isinstance(confirm, ConfirmAction)
        body = str(confirm.query_one("#confirm-body").render())
        assert "into the queue of group Obchod" in body and "VIP, call back" in body
        path = f"/api/v1/Sessions/{sid}/forward"
        await pilot.press("enter", "enter")  # double confirm
        await settle(pilot)
        assert requests(ctl, "POST", path) == 1
        assert isinstance(app.screen, SessionsScreen)
        assert await has_toast(pilot, "re-routed to group Obchod")
        assert str(app.store.get_session(sid).status) in ("IN_QUEUE", "SessionStatus.IN_QUEUE")


async def test_refusal_shows_the_servers_reason_and_unknown_outcome_rereads(sim, ctl, tmp_path):
    sid = live(ctl)
    ctl.post("/_sim/operators/107", json={"stateKind": "OFFLINE"})
    app = make_app(sim, tmp_path)
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await settle(pilot)
        copy_in(app, ctl, sid)
        await select(pilot, sid)
        await pilot.press("R")
        await choose(pilot, "Markéta")  # operator 107, offline
        await pilot.press("enter")
        await settle(pilot)
        assert await has_toast(pilot, "Markéta Veselá is offline")
        ctl.post("/_sim/faults", json={"path": f"/api/v1/Sessions/{sid}/forward",
                                       "method": "POST", "status": 0, "times": 1})  # fmt: skip
        await pilot.press("R")
        await choose(pilot, "reklamace")
        await pilot.press("enter")
        await settle(pilot, 5)
        shown = toasts(app)
        assert any("outcome unknown" in t and f"session {sid} is now" in t for t in shown)
    ctl.post("/_sim/operators/107", json={"stateKind": "ONLINE"})


async def test_operator_sees_admin_actions_disabled_with_the_reason(sim, ctl, tmp_path):
    sid = live(ctl)
    app = make_app(sim, tmp_path, who="demo-operator")
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await settle(pilot)
        line = status_line(app)
        assert "(operator)" in line and "re-route, ban: administrators only" in line
        copy_in(app, ctl, sid)
        await select(pilot, sid)
        screen = app.screen
        assert screen.check_action("reroute", ()) is None  # shown disabled
        assert screen.check_action("ban", ()) is None
        assert screen.check_action("contact", ()) is True
        await pilot.press("R", "B")
        await settle(pilot)
        assert isinstance(app.screen, SessionsScreen)
        assert requests(ctl, "POST", f"/api/v1/Sessions/{sid}/forward") == 0


async def test_read_only_removes_every_mutating_action(sim, ctl, tmp_path):
    sid = live(ctl)
    app = make_app(sim, tmp_path, read_only=True)
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await settle(pilot)
        assert "READ-ONLY" in status_line(app)
        copy_in(app, ctl, sid)
        await select(pilot, sid)
        for action in ("reroute", "toggle_mark", "contact", "ban"):
            assert app.screen.check_action(action, ()) is False
        await pilot.press("R", "space", "m", "B")
        await settle(pilot)
        assert (
            isinstance(app.screen, SessionsScreen) and not app.screen.query_one(SessionTable).marked
        )
        assert app.permissions.why_not("note") == "read-only mode: cannot add a note"
        assert app.permissions.why_not("params") == "read-only mode: cannot edit parameters"


async def test_bulk_reroute_with_mixed_outcomes_and_retry(sim, ctl, tmp_path):
    ids = [live(ctl) for _ in range(3)]
    app = make_app(sim, tmp_path)
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await settle(pilot)
        copy_in(app, ctl, *ids)
        for sid in ids:
            await select(pilot, sid)
            await pilot.press("space")
        table = app.screen.query_one(SessionTable)
        assert table.marked == set(ids)
        assert "3 marked" in status_line(app)
        ctl.post(f"/_sim/sessions/{ids[1]}/end", json={"acwSeconds": 0})  # ended meanwhile
        ctl.post("/_sim/faults", json={"path": f"/api/v1/Sessions/{ids[2]}/forward",
                                       "method": "POST", "status": 0, "times": 1})  # fmt: skip
        await pilot.press("R")
        await choose(pilot, "Technická")
        body = str(app.screen.query_one("#confirm-body").render())
        assert "3 sessions" in body
        await pilot.press("enter")
        await settle(pilot, 5)
        result = app.screen
        assert isinstance(result, BulkResult)
        assert [o.result for o in result.outcomes] == ["done", "refused", "unknown"]
        text = str(result.query_one("#bulk-body").render())
        assert "has ended" in text and "outcome unknown" in text
        assert "1 done · 1 refused · 1 unknown" in str(result.query_one("#bulk-summary").render())
        await pilot.press("R")  # retry the failed ones
        await settle(pilot, 5)
        assert [o.result for o in result.outcomes] == ["done", "refused", "done"]
        await pilot.press("escape")
        await pilot.pause()
        assert not table.marked


async def test_audit_log_from_the_palette(sim, ctl, tmp_path):
    sid = live(ctl)
    app = make_app(sim, tmp_path)
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await settle(pilot)
        copy_in(app, ctl, sid)
        await select(pilot, sid)
        await pilot.press("R")
        await choose(pilot, "English")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Audit log")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AuditLogScreen)
        table = screen.query_one("#audit-table")
        assert table.row_count == 1
        row = [str(c) for c in table.get_row_at(0)]
        assert row[2] == "forward" and f"session {sid}" in row[3] and row[4] == "done"
        assert "(administrator)" in row[1]


async def test_r_on_the_routing_tab_reroutes_the_detail_session_not_the_marks(sim, ctl, tmp_path):
    shown, other = live(ctl), live(ctl)
    app = make_app(sim, tmp_path)
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await settle(pilot)
        copy_in(app, ctl, shown, other)
        await select(pilot, other)
        await pilot.press("space")  # a mark elsewhere must not matter in the detail
        await select(pilot, shown)
        await pilot.press("5")  # the routing tab
        await settle(pilot)
        app.screen.query_one("#detail").query_one("RoutingView").focus()
        await pilot.pause()
        await pilot.press("R")
        await settle(pilot)
        assert isinstance(app.screen, RerouteDialog)
        assert "Re-route session" in str(app.screen.query_one(".admin-title").render())
        await choose(pilot, "Reklamace")
        assert f"Session {shown}" in str(app.screen.query_one("#confirm-body").render())
        await pilot.press("escape")


async def test_read_only_palette_offers_no_mutating_command(sim, tmp_path):
    from mluvii_tui.screens.keys import available

    app = make_app(sim, tmp_path, read_only=True)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        offered = {c.id for c, _ in available(app, app.screen)}
        assert "sessions.blacklist" in offered and "sessions.audit_log" in offered
        assert not offered & {
            "sessions.reroute",
            "sessions.mark",
            "sessions.contact",
            "sessions.ban",
        }
