"""Admin actions on the Sessions screen (issue 13): contact the client again, ban, the Blacklist
and the audit log; who-am-I in the header; the helpers every action shares (re-routing and
marks: admin_reroute.py).

``AdminActionsMixin`` is mixed into ``SessionsScreen``: its bindings, ``check_action`` (an
action the role may not do is disabled, in read-only mode it is removed) and the handlers that
open the dialogs, send through the app's ``ActionRunner`` and show the outcome in the table and
the detail at once. Keys, palette titles and ``:`` aliases are rows of keymap/table.py
(scope ``sessions``, help group "Admin").
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.content import Content

from ..api.enums import enum_text
from ..text import one_line
from ..widgets.session_table import SessionTable

if TYPE_CHECKING:
    from ..actions.runner import Outcome
    from ..api.models import SessionModel
    from ..app import MluviiApp

#: Screen action → the permission-model action it needs.
GUARDED = {
    "reroute": "forward",
    "toggle_mark": "forward",
    "mark_all": "forward",
    "contact": "contact",
    "ban": "ban",
}


class AdminActionsMixin:
    """Mixed into SessionsScreen (a Screen): ``self.app`` is the MluviiApp."""

    if TYPE_CHECKING:
        app: MluviiApp

        def notify(self, message: Any, **kwargs: Any) -> None: ...
        def query_one(self, *args: Any) -> Any: ...
        def run_worker(self, *args: Any, **kwargs: Any) -> Any: ...
        def refresh_bindings(self) -> None: ...
        def _update_status(self) -> None: ...
        def _detail(self) -> Any | None: ...

    # ------------------------------------------------------------------ permissions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        needed = GUARDED.get(action)
        if needed is None:
            return True
        if self.app.permissions.read_only:
            return False  # removed from the footer: nothing mutates in read-only mode
        return None if self.app.permissions.why_not(needed) else True

    def admin_header(self) -> Text:
        """'  Jana Nováková (administrator)', '· READ-ONLY', and what the role may not do."""
        p = self.app.permissions
        line = Text()
        if p.user is not None:
            line.append(f"  {one_line(p.header.replace('  READ-ONLY', ''), 60)}", style="bold")
            denied = [a for a in ("forward", "ban") if p.user is not None and p.why_not(a)]
            if denied and not p.read_only:
                names = {"forward": "re-route", "ban": "ban"}
                line.append(
                    f"  ({', '.join(names[a] for a in denied)}: administrators only)", style="dim"
                )
        if p.read_only:
            line.append("  READ-ONLY", style="bold reverse yellow")
        return line

    def permissions_changed(self) -> None:
        self.refresh_bindings()
        self._update_status()

    # ------------------------------------------------------------------ helpers

    @property
    def _table(self) -> SessionTable:
        return self.query_one(SessionTable)

    def _session(self) -> SessionModel | None:
        sid = self._table.current_session_id
        session = None if sid is None else self.app.store.get_session(sid)
        if session is None:
            self.notify("No session selected.", severity="warning")
        return session

    def _refused(self, action: str) -> bool:
        why = self.app.permissions.why_not(action)
        if why is None and self.app.client is None:
            why = "offline: no server to act on"
        if why is not None:
            self.notify(Content(why), severity="warning")
        return why is not None

    def _apply_session(self, session: SessionModel | None, *, select: bool = False) -> None:
        """Show a session the server just returned in the table and the detail at once."""
        if session is None:
            return
        self.app.store.upsert_sessions([session])
        table = self._table
        if select:
            if self.app.store.position_of(table.query, session.id) is None:
                table.set_query(replace(table.query, view="all"), keep=session.id)
            else:
                table.reload(keep=session.id)
        else:
            table.reload()
        self._update_status()
        detail = self._detail()
        if detail is not None and (select or detail.session_id == session.id):
            if select:
                detail.session_id = None
                detail.show(session.id)
            else:
                detail.reload()

    async def _reread(self, session_id: int | None) -> SessionModel | None:
        """After an unknown outcome: ask the server where the session stands now."""
        from ..api.errors import MluviiError

        if session_id is None or self.app.client is None:
            return None
        try:
            session = await self.app.client.get_session(session_id)
        except MluviiError as exc:
            self.notify(Content(f"session {session_id}: {exc.message}"), severity="error")
            return None
        self._apply_session(session)
        return session

    async def _after(self, outcome: Outcome | None, done_text: str) -> None:
        """Toast the outcome; a done action shows its result, an unknown one re-reads."""
        from ..actions.runner import DONE, UNKNOWN  # the runner loads with the first action

        if outcome is None:
            return
        if outcome.result == DONE:
            self.notify(Content(one_line(done_text, 300)), title="Done")
        elif outcome.result == UNKNOWN:
            session = await self._reread(outcome.session_id)
            now = f"; session {session.id} is now {enum_text(session.status)}" if session else ""
            self.notify(
                Content(one_line(f"{outcome.reason}{now}", 300)),
                title="Outcome unknown",
                severity="warning",
                timeout=10,
            )
        else:
            self.notify(Content(one_line(outcome.reason, 300)), title="Refused", severity="error")

    # ------------------------------------------------------------------ contact

    def action_contact(self) -> None:
        from .contact import ContactDialog

        if self._refused("contact"):
            return
        session = self._session()
        if session is None:
            return
        client = self.app.client
        assert client is not None
        dialog = ContactDialog(
            session.id,
            partial(client.get_contact_rule, session.id),
            partial(client.get_templates, enum_text(session.source) or None),
        )
        self.app.push_screen(dialog, partial(self._confirm_contact, session.id))

    def _confirm_contact(self, session_id: int, message: Any) -> None:
        from .confirm_action import ConfirmAction

        if message is None:
            return
        runner = self.app.actions

        async def run(key: str) -> Outcome:
            return await runner.contact(
                session_id,
                text=message.text,
                template_id=message.template_id,
                template_params=message.params,
                request_id=key,
            )

        async def done(outcome: Outcome | None) -> None:
            if outcome is not None and outcome.ok:
                new_id = outcome.value.session_id
                client = self.app.client
                if client is not None:
                    from ..api.errors import MluviiError

                    try:
                        self._apply_session(await client.get_session(new_id), select=True)
                    except MluviiError as exc:
                        self.notify(Content(f"session {new_id}: {exc.message}"), severity="error")
                tag = outcome.value.message_tag
                text = f"Session {new_id} started, linked to {session_id}"
                await self._after(outcome, text + (f" (tag {tag})" if tag else ""))
            else:
                await self._after(outcome, "")

        self.app.push_screen(ConfirmAction("Send?", message.summary, run, verb="send"), done)

    # ------------------------------------------------------------------ ban

    def action_ban(self) -> None:
        from ..actions.targets import ban_channel
        from .ban import BanDialog

        if self._refused("ban"):
            return
        session = self._session()
        if session is None:
            return
        if ban_channel(session) is None:
            self.notify("This session's channel has no identity that can be banned.")
            return
        self.app.push_screen(
            BanDialog(session, now=self.app.now()), partial(self._confirm_ban, session)
        )

    def _confirm_ban(self, session: SessionModel, request: Any) -> None:
        from .confirm_action import ConfirmAction

        if request is None:
            return
        runner = self.app.actions

        async def run(key: str) -> Outcome:
            return await runner.ban(
                reason=request.reason,
                session_id=session.id,
                expires=request.expires,
                target=request.target,
                request_id=key,
            )

        async def done(outcome: Outcome | None) -> None:
            if outcome is not None and outcome.ok:
                await self._reread(session.id)
                ban = outcome.value
                marked = f"; {ban.sessions_marked} sessions marked" if ban.sessions_marked else ""
                await self._after(outcome, f"Banned as ban {ban.id}{marked}")
            else:
                await self._after(outcome, "")

        self.app.push_screen(ConfirmAction("Ban?", request.summary, run, verb="ban"), done)

    # ------------------------------------------------------------------ screens

    def action_blacklist(self) -> None:
        from .blacklist import BlacklistScreen

        if self.app.client is None:
            self.notify("Offline: no blacklist to show.", severity="warning")
            return
        self.app.push_screen(BlacklistScreen())

    def action_audit_log(self) -> None:
        from ..actions.audit import AuditLog
        from .audit_log import AuditLogScreen

        self.app.push_screen(AuditLogScreen(AuditLog.for_profile(self.app.profile)))
