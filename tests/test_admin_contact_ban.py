"""Contact client and ban in the console (Pilot against the simulator): the channel rule at its
boundaries (23:59 vs 24:01 since the client's last message), refused cases that never send, the
new linked session selected; ban with a mandatory reason, banned rows and detail, the Blacklist
screen with filter and unban."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, OptionList

from admin_support import (
    DAY,
    MINUTE,
    copy_in,
    ended,
    has_toast,
    live,
    make_app,
    requests,
    select,
    settle,
)
from mluvii_tui.demo.runner import Simulator
from mluvii_tui.screens.ban import BanDialog
from mluvii_tui.screens.blacklist import BlacklistScreen
from mluvii_tui.screens.confirm_action import ConfirmAction
from mluvii_tui.screens.contact import ContactDialog
from mluvii_tui.screens.sessions import SessionsScreen
from mluvii_tui.widgets.session_table import SessionTable


@pytest.fixture
def sim():
    with Simulator(sessions=30, seed=4) as simulator:
        yield simulator


async def open_contact(pilot, sid: int) -> ContactDialog:
    await select(pilot, sid)
    await pilot.press("m")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, ContactDialog)
    return dialog


async def test_contact_rule_boundaries_and_success_selects_the_new_session(sim, ctl, tmp_path):
    whatsapp = ended(ctl, "WhatsApp")
    apple = ended(ctl, "Apple")
    app = make_app(sim, tmp_path, who="demo-operator")  # operators may contact clients
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await settle(pilot)
        copy_in(app, ctl, whatsapp, apple)
        dialog = await open_contact(pilot, apple)
        rule = str(dialog.query_one("#contact-rule").render())
        assert "customer must write first" in rule
        assert not dialog.query_one("#contact-text").display
        assert not dialog.query_one("#contact-templates").display
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog  # nothing to send
        await pilot.press("escape")
        ctl.post("/_sim/clock", json={"advance": DAY - MINUTE})  # 23:59
        dialog = await open_contact(pilot, whatsapp)
        assert dialog.query_one("#contact-text").display
        assert "window open" in str(dialog.query_one("#contact-rule").render())
        await pilot.press("escape")
        ctl.post("/_sim/clock", json={"advance": 2 * MINUTE})  # 24:01
        dialog = await open_contact(pilot, whatsapp)
        assert "only a template" in str(dialog.query_one("#contact-rule").render())
        assert not dialog.query_one("#contact-text").display
        assert dialog.query_one("#contact-templates", OptionList).option_count >= 1
        params = dialog.query_one("#contact-params", Input)
        params.focus()
        await pilot.press("enter")  # the template needs a parameter
        await pilot.pause()
        assert "needs 1 parameter" in str(dialog.query_one("#contact-message").render())
        params.value = "OBJ-77"
        await pilot.press("enter")
        await pilot.pause()
        confirm = app.screen
        assert isinstance(confirm, ConfirmAction)
        assert "OBJ-77" in str(confirm.query_one("#confirm-body").render())
        await pilot.press("enter")
        await settle(pilot, 5)
        assert isinstance(app.screen, SessionsScreen)
        assert requests(ctl, "POST", f"/api/v1/Sessions/{whatsapp}/contact") == 1
        assert await has_toast(pilot, f"linked to {whatsapp}")
        new_id = app.screen.query_one(SessionTable).current_session_id
        assert new_id not in (None, whatsapp)
        new = app.store.get_session(new_id)
        assert new.guest.call_params["previous_session_id"] == str(whatsapp)
    assert requests(ctl, "POST", f"/api/v1/Sessions/{apple}/contact") == 0


async def test_contact_free_text_refused_by_the_server_shows_its_reason(sim, ctl, tmp_path):
    whatsapp = ended(ctl, "WhatsApp")
    app = make_app(sim, tmp_path, who="demo-operator")
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await settle(pilot)
        copy_in(app, ctl, whatsapp)
        dialog = await open_contact(pilot, whatsapp)
        dialog.query_one("#contact-text", Input).value = "Dobrý den"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmAction)
        ctl.post("/_sim/clock", json={"advance": DAY + MINUTE})  # the window closes meanwhile
        await pilot.press("enter")
        await settle(pilot, 5)
        assert await has_toast(pilot, "only a template")


async def test_ban_needs_a_reason_marks_the_client_and_blacklist_unbans(sim, ctl, tmp_path):
    sid = live(ctl, source="Default")
    app = make_app(sim, tmp_path)
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await settle(pilot)
        copy_in(app, ctl, sid)
        await select(pilot, sid)
        await pilot.press("B")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, BanDialog)
        assert "web chat client: IP" in str(dialog.query_one("#ban-who").render())
        await pilot.press("enter")
        await pilot.pause()
        assert "A ban needs a reason." in str(dialog.query_one("#ban-message").render())
        assert app.screen is dialog
        dialog.query_one("#ban-reason", Input).value = "Vulgarity"
        dialog.query_one("#ban-exp", Input).value = "yesterday"
        await pilot.press("enter")
        await pilot.pause()
        assert "expiry 'yesterday'" in str(dialog.query_one("#ban-message").render())
        dialog.query_one("#ban-exp", Input).value = "7d"
        await pilot.press("enter")
        await pilot.pause()
        confirm = app.screen
        assert isinstance(confirm, ConfirmAction)
        body = str(confirm.query_one("#confirm-body").render())
        assert "Reason: Vulgarity" in body and "until" in body
        await pilot.press("enter")
        await settle(pilot, 5)
        assert await has_toast(pilot, "Banned as ban")
        assert app.store.get_session(sid).blacklisted is True
        await app.screen.action_toggle_detail()  # the pane, built now, reads the session
        await settle(pilot)
        assert "client banned" in str(app.screen.query_one("#detail-title").render())
        app.screen.query_one(SessionTable).focus()
        await pilot.press("b")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BlacklistScreen)
        table = screen.query_one(DataTable)
        assert table.row_count == 1
        assert [str(c) for c in table.get_row_at(0)][1:3] == ["active", "web chat"]
        await pilot.press("slash")
        await pilot.press(*"nothing-like-this")
        await pilot.pause()
        assert table.row_count == 0
        screen.query_one("#blacklist-filter", Input).value = "vulgar"
        await pilot.pause()
        assert table.row_count == 1
        await pilot.press("escape")  # leaves the filter box
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmAction)
        await pilot.press("enter")
        await settle(pilot, 5)
        assert app.screen is screen
        assert await has_toast(pilot, "lifted")
        assert [str(c) for c in table.get_row_at(0)][1] == "lifted"
