"""Admin semantics of the simulator through the typed client: who am I, re-route (403, 409
ended, offline target), availability, bans (block new sessions, mark sessions, unban), contact
client again with the channel rule boundaries, idempotency."""

from __future__ import annotations

import uuid

import pytest

from mluvii_tui.api.client import MluviiClient
from mluvii_tui.api.errors import AuthError, BadRequest
from mluvii_tui.demo.runner import Simulator

MINUTE, HOUR, DAY = 60, 3600, 86400


def key() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def sim():
    with Simulator(sessions=120, seed=9) as simulator:
        yield simulator


def _client(sim, who: str = "demo-admin") -> MluviiClient:
    return MluviiClient(sim.base_url, who, f"{who}-secret", max_retries=0)


async def test_who_am_i(sim):
    async with _client(sim) as admin, _client(sim, "demo-operator") as op:
        me = await admin.get_me()
        assert me.is_admin and me.may("Sessions.Forward") and me.may("Blacklist.Manage")
        other = await op.get_me()
        assert other.role == "operator" and not other.may("Sessions.Forward")
        assert other.may("Sessions.ContactClient") and other.full_name


async def test_forward_and_its_refusals(sim, ctl):
    sid = ctl.post("/_sim/sessions", json={"operator": 101, "group": 11}).json()["id"]
    async with _client(sim) as admin, _client(sim, "demo-operator") as op:
        with pytest.raises(AuthError, match="Only an administrator may re-route"):
            await op.forward_session(sid, group_id=12, idempotency_key=key())
        ctl.post("/_sim/operators/107", json={"stateKind": "OFFLINE"})
        with pytest.raises(BadRequest, match="is offline") as offline:
            await admin.forward_session(sid, user_id=107, idempotency_key=key())
        assert offline.value.status == 409
        with pytest.raises(BadRequest, match="exactly one"):
            await admin.forward_session(sid, idempotency_key=key())
        k = key()
        moved = await admin.forward_session(sid, group_id=12, note="VIP", idempotency_key=k)
        again = await admin.forward_session(sid, group_id=12, note="VIP", idempotency_key=k)
        assert moved.status == again.status == "IN_QUEUE"
        session = await admin.get_session(sid)
        forwards = [a for a in session.activities if a.type == "SessionForwarded"]
        assert len(forwards) == 1 and forwards[0].to_group_id == 12 and forwards[0].note == "VIP"
        assert session.operators[0].concluded is not None  # redirected onward = concluded
        availability = await admin.get_availability()
        group = next(g for g in availability.groups if g.id == 12)
        assert group.clients_waiting >= 1 and group.longest_wait is not None
        assert {o.status for o in availability.operators} <= {"ONLINE", "BUSY", "AWAY", "OFFLINE"}
        assert next(o for o in availability.operators if o.user_id == 107).status == "OFFLINE"
        ctl.post(f"/_sim/sessions/{sid}/accept", json={"operator": 106})
        ctl.post(f"/_sim/sessions/{sid}/end", json={"acwSeconds": 0})
        with pytest.raises(BadRequest, match="ended") as ended:
            await admin.forward_session(sid, group_id=13, idempotency_key=key())
        assert ended.value.status == 409


async def test_ban_blocks_new_sessions_and_unban(sim, ctl):
    sid = ctl.post("/_sim/sessions", json={"source": "Default", "operator": 101}).json()["id"]
    async with _client(sim) as admin, _client(sim, "demo-operator") as op:
        with pytest.raises(AuthError, match="Only an administrator may ban"):
            await op.ban(session_id=sid, reason="spam", idempotency_key=key())
        with pytest.raises(BadRequest, match="reason"):
            await admin.ban(session_id=sid, reason="  ", idempotency_key=key())
        k = key()
        ban = await admin.ban(session_id=sid, reason="Vulgarity", idempotency_key=k)
        assert ban == await admin.ban(session_id=sid, reason="Vulgarity", idempotency_key=k)
        assert ban.channel == "Mluvii" and ban.ip_address and ban.tracked_id and ban.active
        assert (await admin.get_session(sid)).blacklisted is True
        blocked = ctl.post("/_sim/sessions", json={"clientOf": sid}).json()
        assert blocked["status"] == "BLACKLISTED"
        assert (await admin.get_session(blocked["id"])).blacklisted is True
        phone = await admin.ban(
            channel="Phone", identity={"phoneNumber": "+420777000111"}, reason="Prank calls",
            idempotency_key=key(),
        )  # fmt: skip
        assert phone.phone_number == "+420777000111" and phone.sessions_marked == 0
        assert len(await admin.get_blacklist(active=True)) == 2
        with pytest.raises(AuthError):
            await op.unban(ban.id, idempotency_key=key())
        await admin.unban(ban.id, idempotency_key=key())
        assert [b.id for b in await admin.get_blacklist(active=False)] == [ban.id]
        assert ctl.post("/_sim/sessions", json={"clientOf": sid}).json()["status"] == "IN_QUEUE"


def _ended(ctl, source: str, write: bool = True) -> int:
    sid = ctl.post("/_sim/sessions", json={"source": source, "operator": 103}).json()["id"]
    if write:
        ctl.post(f"/_sim/sessions/{sid}/message", json={"text": "Ahoj", "from": "Guest"})
    ctl.post(f"/_sim/sessions/{sid}/end", json={"by": "User", "acwSeconds": 0})
    return sid


async def test_contact_rules_at_the_boundaries(sim, ctl):
    whatsapp, messenger, apple, vk = (
        _ended(ctl, s) for s in ("WhatsApp", "Facebook", "Apple", "VK")
    )
    web = _ended(ctl, "Default")
    live = ctl.post("/_sim/sessions", json={"source": "WhatsApp"}).json()["id"]
    async with _client(sim, "demo-operator") as op:
        assert not (await op.get_contact_rule(live)).allowed
        assert not (await op.get_contact_rule(web)).allowed
        apple_rule = await op.get_contact_rule(apple)
        assert not apple_rule.allowed and "must write first" in apple_rule.reason
        assert (await op.get_contact_rule(vk)).free_text
        ctl.post("/_sim/clock", json={"advance": DAY - MINUTE})  # 23:59 since the last message
        wa = await op.get_contact_rule(whatsapp)
        assert wa.allowed and wa.free_text and not wa.template_only
        fb = await op.get_contact_rule(messenger)
        assert fb.free_text and fb.message_tag is None
        ctl.post("/_sim/clock", json={"advance": 2 * MINUTE})  # 24:01
        wa = await op.get_contact_rule(whatsapp)
        assert wa.allowed and wa.template_only and not wa.free_text
        fb = await op.get_contact_rule(messenger)
        assert fb.free_text and fb.message_tag == "HUMAN_AGENT" and "days left" in fb.reason
        with pytest.raises(BadRequest, match="only a template") as refused:
            await op.contact_client(whatsapp, text="Hello", idempotency_key=key())
        assert refused.value.status == 409
        templates = await op.get_templates("WhatsApp")
        k = key()
        done = await op.contact_client(
            whatsapp, template_id=templates[0].id, template_params=["OBJ1"], idempotency_key=k
        )
        again = await op.contact_client(
            whatsapp, template_id=templates[0].id, template_params=["OBJ1"], idempotency_key=k
        )
        assert done == again and done.previous_session_id == whatsapp
        new = await op.get_session(done.session_id)
        assert new.status == "ACTIVE" and new.source == "WhatsApp"
        assert "OBJ1" in (new.activities[-1].text or "")
        assert new.guest.call_params["previous_session_id"] == str(whatsapp)
        tagged = await op.contact_client(messenger, text="Dobrý den", idempotency_key=key())
        assert tagged.message_tag == "HUMAN_AGENT"
        ctl.post("/_sim/clock", json={"advance": 6 * DAY})  # past 7 days
        with pytest.raises(BadRequest, match="7-day"):
            await op.contact_client(messenger, text="Hi", idempotency_key=key())
