"""Forms on the fast transcript path: one activity through pydantic, not the whole session.

A session with a form (HeroCard, CallScript or a submission of one) used to send the whole
session through ``parse_session`` + ``build_transcript`` (~700 µs). Here only the form activity,
and for a submission the activity it answers, are validated as ``Activity`` models, and the item
is built by transcript.py's own ``_form``, so it is the exact path's item. Anything pydantic would
not take as it is gives None: the caller then takes the exact path for the whole session.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from mluvii_tui.domain.transcript import TranscriptItem, _form, fallback_item, item_base

from ..api.models import Activity


def _model(a: dict[str, Any]) -> Activity | None:
    try:
        return Activity.model_validate(a)
    except ValidationError:
        return None


def form_item(
    a: dict[str, Any], acts: list[Any], kind: str, sender: str, sender_name: str, names: Any
) -> TranscriptItem | None:
    """build_transcript's item for the form activity ``a`` of ``acts`` (None: not sure)."""
    model = _model(a)
    if model is None:
        return None
    by_id: dict[int, Activity] = {}
    wanted = model.submission_of_activity_id
    if wanted:  # build_transcript maps every activity id, the last one of an id winning
        found = None
        for other in acts:
            if other.__class__ is not dict:
                return None
            aid = other.get("activityId")
            if aid is not None and aid.__class__ is not int:
                return None  # pydantic would read "12" as 12: the exact path decides
            if aid == wanted:
                found = other
        if found is not None:
            original = model if found is a else _model(found)
            if original is None:
                return None
            by_id[wanted] = original
    try:
        return _form(model, kind, sender, sender_name, names, by_id, item_base(model, kind))
    except Exception:  # as build_transcript: one strange activity must not hide the transcript
        return fallback_item(model)
