"""Who may do what: the signed-in user's permissions plus the read-only switch.

``Permissions.why_not(action)`` is None when the action is allowed, else the one-line reason
the console shows on a disabled action ("read-only mode", "administrators only").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from mluvii_tui.api.roles import BLACKLIST, CALL_PARAMS, CONTACT, FORWARD, NOTES

if TYPE_CHECKING:
    from mluvii_tui.api.admin_models import CurrentUser

#: Every mutating action and the permission it needs.
NEEDS: dict[str, str] = {
    "forward": FORWARD,
    "contact": CONTACT,
    "ban": BLACKLIST,
    "unban": BLACKLIST,
    "note": NOTES,
    "params": CALL_PARAMS,
}
LABELS = {
    "forward": "re-route",
    "contact": "contact the client",
    "ban": "ban",
    "unban": "lift a ban",
    "note": "add a note",
    "params": "edit parameters",
}


@dataclass(frozen=True)
class Permissions:
    """``user`` None: not known yet (offline, or the server does not say): actions are offered and
    the server decides. ``read_only`` removes every mutating action whoever the user is."""

    user: CurrentUser | None = None
    read_only: bool = False

    def why_not(self, action: str) -> str | None:
        label = LABELS.get(action, action)
        if self.read_only:
            return f"read-only mode: cannot {label}"
        if self.user is None or action not in NEEDS:
            return None
        if self.user.may(NEEDS[action]):
            return None
        return f"{self.user.role or 'this user'} may not {label} (administrators only)"

    def allows(self, action: str) -> bool:
        return self.why_not(action) is None

    @property
    def header(self) -> str:
        """What the header says: "Jana Nováková (administrator)", plus "READ-ONLY"."""
        who = ""
        if self.user is not None:
            who = f"{self.user.full_name or self.user.username or self.user.id} ({self.user.role})"
        if self.read_only:
            who = f"{who}  READ-ONLY".strip()
        return who


def refusal(app: object, action: str) -> str | None:
    """Why the UI ``app`` may not do ``action`` now (None: allowed, or no permission model, as
    in a widget's test app). For widgets, which may not import the app."""
    permissions = getattr(app, "permissions", None)
    return permissions.why_not(action) if isinstance(permissions, Permissions) else None
