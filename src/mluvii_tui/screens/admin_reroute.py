"""Re-routing on the Sessions screen (issue 13): marking sessions (space, mark all live), re-route
one session or the marked ones to a group's queue or an operator, confirm, send through the
app's ``ActionRunner`` and show the outcome (a bulk result screen that retries the failed ones).

``RerouteActionsMixin`` is mixed into ``SessionsScreen`` beside ``AdminActionsMixin``, whose
helpers (``_refused``, ``_session``, ``_apply_session``, ``_after``, ``_reread``) it uses.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from rich.text import Text

from ..api.enums import LIVE_STATUSES, enum_text
from ..text import one_line

if TYPE_CHECKING:
    from ..actions.runner import ForwardTarget, Outcome
    from ..api.models import SessionModel
    from ..app import MluviiApp
    from ..widgets.detail.routing import RoutingView
    from ..widgets.session_table import SessionTable

MARK_ALL_LIMIT = 5000


class RerouteActionsMixin:
    """Mixed into SessionsScreen (a Screen): ``self.app`` is the MluviiApp."""

    if TYPE_CHECKING:
        app: MluviiApp
        _bulk_target: tuple[ForwardTarget, str]

        @property
        def _table(self) -> SessionTable: ...
        def notify(self, message: Any, **kwargs: Any) -> None: ...
        def run_worker(self, *args: Any, **kwargs: Any) -> Any: ...
        def _update_status(self) -> None: ...
        def _detail(self) -> Any | None: ...
        def _session(self) -> SessionModel | None: ...
        def _refused(self, action: str) -> bool: ...
        def _apply_session(self, session: SessionModel | None, *, select: bool = False) -> None: ...
        async def _reread(self, session_id: int | None) -> SessionModel | None: ...
        async def _after(self, outcome: Outcome | None, done_text: str) -> None: ...

    # ------------------------------------------------------------------ marks

    def action_toggle_mark(self) -> None:
        if self.app.permissions.read_only:
            return
        table = self._table
        sid = table.current_session_id
        if sid is None:
            return
        table.marked ^= {sid}
        table.refresh()
        table.action_cursor_down()
        self._update_status()

    def action_mark_all(self) -> None:
        """Mark every live session of the current filter; with marks already, clear them."""
        table = self._table
        if table.marked:
            table.marked = set()
        else:
            rows = self.app.store.window(table.query, 0, MARK_ALL_LIMIT)
            table.marked = {int(r.id) for r in rows if r["is_live"]}
            if not table.marked:
                self.notify("No live session in the current list.", severity="warning")
        table.refresh()
        self._update_status()

    def marks_text(self) -> Text:
        n = len(self._table.marked)
        return Text(f"  · {n} marked (R re-route, A clear)", style="bold") if n else Text()

    # ------------------------------------------------------------------ re-route

    def action_reroute(self) -> None:
        if self._refused("forward"):
            return
        detail = self._detail()
        in_detail = detail is not None and detail.display and detail.has_focus_within
        marked = sorted(self._table.marked)
        if marked and not in_detail:
            self._reroute(marked)
            return
        session = detail.session if in_detail else self._session()
        if session is None:
            return
        if enum_text(session.status) not in LIVE_STATUSES or session.ended is not None:
            self.notify("Only a live session can be re-routed.", severity="warning")
            return
        self._reroute([session.id])

    def on_routing_view_reroute_requested(self, event: RoutingView.RerouteRequested) -> None:
        event.stop()
        if not self._refused("forward"):
            self._reroute([event.session_id])

    def action_reroute_session(self, session_id: int) -> None:
        self._reroute([session_id])

    def _reroute(self, ids: list[int]) -> None:
        from .reroute import RerouteDialog

        client = self.app.client
        assert client is not None
        title = f"Re-route session {ids[0]}" if len(ids) == 1 else f"Re-route {len(ids)} sessions"

        def chosen(choice: tuple[ForwardTarget, str] | None) -> None:
            if choice is not None:
                self._confirm_reroute(ids, *choice)

        self.app.push_screen(RerouteDialog(title, client.get_availability), chosen)

    def _confirm_reroute(self, ids: list[int], target: ForwardTarget, note: str) -> None:
        from .confirm_action import ConfirmAction

        runner = self.app.actions
        lines: list[Text | str] = []
        if len(ids) == 1:
            lines.append(self._describe(ids[0]))
        else:
            shown = ", ".join(str(i) for i in ids[:12]) + (" …" if len(ids) > 12 else "")
            lines.append(f"{len(ids)} sessions: {shown}")
        where = (
            f"into the queue of group {target.name}"
            if target.group_id is not None
            else f"to operator {target.name}"
        )
        lines.append(Text(f"will be re-routed {where}.", style="bold"))
        lines.append("An operator who has it now loses it; the server refuses ended sessions.")
        lines.append(f"Note for the next operator: {one_line(note, 200)}" if note else "No note.")

        if len(ids) == 1:

            async def run_one(key: str) -> Outcome:
                return await runner.forward(ids[0], target, note or None, request_id=key)

            async def done_one(outcome: Outcome | None) -> None:
                if outcome is not None and outcome.ok:
                    self._apply_session(outcome.value)
                await self._after(outcome, f"Session {ids[0]} re-routed to {target.label}")

            self.app.push_screen(ConfirmAction("Re-route?", lines, run_one), done_one)
            return

        async def run_many(key: str) -> Any:
            keys = {sid: str(uuid.uuid5(uuid.NAMESPACE_URL, f"{key}/{sid}")) for sid in ids}
            return await runner.forward_many(ids, target, note or None, request_ids=keys)

        self._bulk_target = (target, note)
        self.app.push_screen(ConfirmAction("Re-route all?", lines, run_many), self._bulk_done)

    def _bulk_done(self, outcomes: list[Outcome] | None) -> None:
        from .bulk_reroute import BulkResult

        if outcomes is None:
            return
        target, note = self._bulk_target
        runner = self.app.actions

        async def retry(failed: list[Outcome]) -> list[Outcome]:
            previous = {o.session_id: o for o in failed if o.session_id is not None}
            again = await runner.forward_many(
                list(previous), target, note or None, previous=previous
            )
            self._bulk_applied(again)
            return again

        self._bulk_applied(outcomes)
        self._table.marked = set()
        title = f"Re-route to {target.label}"
        self.app.push_screen(BulkResult(title, outcomes, retry))

    def _bulk_applied(self, outcomes: list[Outcome]) -> None:
        from ..actions.runner import UNKNOWN

        done = [o.value for o in outcomes if o.ok and o.value is not None]
        if done:
            self.app.store.upsert_sessions(done)
        self._table.reload()
        self._update_status()
        unknown = [o.session_id for o in outcomes if o.result == UNKNOWN]
        for sid in unknown:
            self.run_worker(self._reread(sid), group="reread")

    def _describe(self, session_id: int) -> Text:
        s = self.app.store.get_session(session_id)
        text = Text(f"Session {session_id}", style="bold")
        if s is not None:
            parts = [enum_text(p) for p in (s.channel, s.source, s.status) if p]
            ops = ", ".join(one_line(o.full_name or "?", 40) for o in s.operators[-1:])
            text.append(f" ({', '.join(parts)}{f', with {ops}' if ops else ''})")
        return text
