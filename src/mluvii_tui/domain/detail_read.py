"""What the detail pane reads from a session's kept JSON (``SessionStore.session_json``), in one
typed path: the transcript through the shared decoder (``transcript_decode.session_items``:
pydantic only for what the decoder declines), and for the other tabs a ``SessionModel``
validated without the activities no tab reads (the transcript's bulk stays out of pydantic).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from mluvii_tui.api.models import SessionModel, parse_session

from .transcript import TranscriptItem
from .transcript_decode import session_items

#: Activities the tabs other than the transcript read: Info's "ended by" (SessionEnded) and
#: Routing's timeline for servers without a routing endpoint (forwards, invitations, handoffs).
TAB_ACTIVITIES = frozenset({"sessionended", "sessionforwarded", "operatorinvited", "handoff"})


class DetailRead(NamedTuple):
    session: SessionModel  # every field; of the activities only TAB_ACTIVITIES
    items: list[TranscriptItem]


def read_detail(
    data: dict[str, Any], user_names: dict[int, str] | None = None
) -> DetailRead | None:
    """The pane's reading of a session's JSON; None when it is not a session."""
    activities = data.get("activities")
    light = data
    if isinstance(activities, list):
        light = {**data, "activities": [a for a in activities if _tab_reads(a)]}
    session = parse_session(light)
    if session is None:
        return None
    return DetailRead(session, session_items(data, user_names) or [])


def _tab_reads(activity: Any) -> bool:
    """Kept unless it is an activity of a type no tab reads (anything odd is kept: pydantic
    decides about it as before)."""
    kind = activity.get("type") if isinstance(activity, dict) else None
    return not isinstance(kind, str) or kind.lower() in TAB_ACTIVITIES
