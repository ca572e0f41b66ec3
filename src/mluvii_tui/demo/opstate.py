"""Operator state as the simulator tracks it: OperatorStateModel plus the sessions held, and
its simplified view (UserSimplifiedStatus, UserAvailabilityStatus, reason) for webhooks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .roster import ADMIN_USER_ID, ALL_OPERATORS_GROUP_ID, OPERATOR_BY_ID, Operator

#: Chats an operator takes at once before counting as busy.
CAPACITY = 3
ADMIN = Operator(ADMIN_USER_ID, "demo-admin", "Demo", "Admin", ALL_OPERATORS_GROUP_ID)


def person(user_id: int) -> Operator:
    return ADMIN if user_id == ADMIN_USER_ID else OPERATOR_BY_ID[user_id]


@dataclass
class OpState:
    """OperatorStateModel plus the sessions the operator holds."""

    model: dict[str, Any]
    active: set[int] = field(default_factory=set)
    acw: set[int] = field(default_factory=set)
    phone: set[int] = field(default_factory=set)

    @property
    def kind(self) -> str:
        return self.model["stateKind"]

    def simplified(self) -> tuple[str, str, str | None]:
        """(UserSimplifiedStatus, UserAvailabilityStatus, reason)."""
        kind = self.kind
        reason = self.model.get("breakStateName") or self.model.get("note")
        if kind in ("OFFLINE", "DISCONNECTED"):
            return "OFFLINE", "DEFAULT", None
        if kind in ("AWAY", "BREAK"):
            return "AWAY", "AWAY", reason
        if kind in ("ON_CALL", "AFTER_CALL", "BEFORE_CALL") or len(self.active) >= CAPACITY:
            return "BUSY", "ON_CALL" if kind == "ON_CALL" else "DEFAULT", None
        return "ONLINE", "DEFAULT", None
