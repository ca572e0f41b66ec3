"""The session as the sync's hot path reads it: msgspec structs of only the fields a store record
needs, typed as pydantic reads them without coercion.

msgspec decodes a page's JSON straight into these (C code: no dict per object, the fields the
record does not use skipped) and cuts the page into each session's bytes as received
(``PAGE``: ``msgspec.Raw``, no re-serialising). A value of another type (a number as text, a
list for an object), or a snake_case spelling of a field read here (pydantic reads those too:
``populate_by_name``), fails the decode: that session takes the exact path (pydantic). Times
are read as datetimes (RFC 3339, in C); one msgspec does not read (a date alone, no seconds, a
comma before the fraction) fails the decode too, though pydantic may read it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from msgspec import UNSET, Raw, Struct, UnsetType, field

__all__ = ["PAGE", "SESSION", "Session", "WireError", "from_dict"]

#: What a session that does not fit raises (a type, a spelling, JSON msgspec refuses).
WireError = msgspec.DecodeError  # (msgspec.ValidationError is one)


def _snake(name: str) -> Any:
    """A field for the snake_case spelling ``name`` of a field read here: any value fails."""
    return field(default=UNSET, name=name)


class _Wire(Struct, rename="camel", gc=False):
    """camelCase on the wire (``guest_joined`` reads "guestJoined"); unknown fields skipped."""


class Named(_Wire):
    name: str | None = None


class Recording(_Wire):
    is_deleted: bool | None = None
    is_deleted_snake: UnsetType = _snake("is_deleted")


class Operator(_Wire):
    user_id: int | None = None
    user_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    joined: datetime | None = None
    left: datetime | None = None
    concluded: datetime | None = None
    user_id_snake: UnsetType = _snake("user_id")
    user_name_snake: UnsetType = _snake("user_name")
    first_name_snake: UnsetType = _snake("first_name")
    last_name_snake: UnsetType = _snake("last_name")


class Activity(_Wire):
    type: str | None = None
    text: str | None = None
    to_group_name: str | None = None
    termination_reason: str | None = None
    to_group_name_snake: UnsetType = _snake("to_group_name")
    termination_reason_snake: UnsetType = _snake("termination_reason")


class Guest(_Wire):
    ip_address: str | None = None
    identity: str | None = None
    channel_identity: int | None = None
    os: str | None = None
    browser: str | None = None
    language: str | None = None
    call_params: dict[str, str | None] | None = None
    ip_address_snake: UnsetType = _snake("ip_address")
    channel_identity_snake: UnsetType = _snake("channel_identity")
    call_params_snake: UnsetType = _snake("call_params")


class Session(_Wire):
    id: int
    guest: Guest | None = None
    channel: str | None = None
    source: str | None = None
    status: str | None = None
    url: str | None = None
    widget: str | None = None
    phone_callback_number: str | None = None
    created: datetime | None = None
    guest_joined: datetime | None = None
    started: datetime | None = None
    ended: datetime | None = None
    waited: str | None = None
    length: str | None = None
    operators: list[Operator] | None = None
    activities: list[Activity] | None = None
    tags: list[Named] | None = None
    chatbots: list[Named] | None = None
    recordings: list[Recording] | None = None
    guest_feedback_stars: int | None = None
    guest_feedback_scale: str | None = None
    guest_feedback_text: str | None = None
    guest_left_session: str | None = None
    auto_accepted: bool | None = None
    blacklisted: bool | None = None
    campaign_id: int | None = None
    guest_joined_snake: UnsetType = _snake("guest_joined")
    phone_callback_number_snake: UnsetType = _snake("phone_callback_number")
    guest_feedback_stars_snake: UnsetType = _snake("guest_feedback_stars")
    guest_feedback_scale_snake: UnsetType = _snake("guest_feedback_scale")
    guest_feedback_text_snake: UnsetType = _snake("guest_feedback_text")
    guest_left_session_snake: UnsetType = _snake("guest_left_session")
    auto_accepted_snake: UnsetType = _snake("auto_accepted")
    campaign_id_snake: UnsetType = _snake("campaign_id")


#: A page: each item's JSON as received (a slice of the page's bytes).
PAGE = msgspec.json.Decoder(list[Raw])
#: One session's JSON into its struct.
SESSION = msgspec.json.Decoder(Session)


def from_dict(item: dict[str, Any]) -> Session:
    """A decoded session (a dict of JSON values) as its struct; ``WireError`` if it does not fit."""
    return msgspec.convert(item, Session)
