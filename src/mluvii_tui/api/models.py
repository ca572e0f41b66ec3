"""Pydantic models of the mluvii public API (reference/mluvii-api.md).

JSON names are camelCase on the wire (``alias_generator``); Python attributes are snake_case.
Every field is optional with a default so that a session with missing fields is still usable;
``parse_session`` also survives fields of the wrong type by dropping just those fields.
Durations are ISO 8601 strings on the wire and ``timedelta`` here; timestamps keep their offsets.
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from .enums import (
    ClientAVSupport,
    ClientCallParamSource,
    ClientType,
    DeliveryState,
    DialNumberState,
    FeedbackScale,
    GetMediaResult,
    GuestBrowserType,
    GuestLeftSessionInState,
    GuestOSType,
    HeroCardSubmissionResult,
    OperatorGroupType,
    OperatorStateKind,
    RoutingTimelineActivityType,
    SessionActivityType,
    SessionAVRequestState,
    SessionChannel,
    SessionRecordingsState,
    SessionRecordingType,
    SessionSource,
    SessionStatus,
    SessionTerminationReason,
    Tolerant,
)


class ApiModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="ignore",
        ser_json_timedelta="iso8601",
    )

    def to_api(self) -> dict[str, Any]:
        """The JSON-ready dict in the API's own spelling (camelCase, ISO strings)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class GuestInfo(ApiModel):
    temp_id: int | None = None
    ip_address: str | None = None
    tracked_id: str | None = None
    identity: str | None = None
    channel_identity: int | None = None
    os: Tolerant[GuestOSType] | None = None
    browser: Tolerant[GuestBrowserType] | None = None
    language: str | None = None
    call_params: dict[str, str | None] = Field(default_factory=dict)
    gdpr_version: int | str | None = Field(default=None, alias="gdprVersion")


class SessionOperators(ApiModel):
    user_id: int | None = None
    user_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    joined: datetime | None = None
    left: datetime | None = None
    concluded: datetime | None = None
    note: str | None = None

    @property
    def full_name(self) -> str:
        name = " ".join(p for p in (self.first_name, self.last_name) if p)
        return name or self.user_name or (f"#{self.user_id}" if self.user_id else "")


class ReviewerInfo(ApiModel):
    user_id: int | None = None
    user_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    note: str | None = None


class SessionFile(ApiModel):
    id: int | str | None = None
    operator_owner: int | None = None
    department_owner: int | None = None
    name: str | None = None
    download_url: str | None = None
    is_uploading: bool | None = None
    is_deleted: bool | None = None


class FormChoiceOption(ApiModel):
    value: str | None = None
    label: str | None = None


class FormField(ApiModel):
    key: str | None = None
    label: str | None = None
    required: bool | None = None
    input_type: str | None = None
    choice_options: list[FormChoiceOption] = Field(default_factory=list)


class Activity(ApiModel):
    activity_id: int | None = None
    time: datetime | None = None
    type: Tolerant[SessionActivityType] | None = None
    client: Tolerant[ClientType] | None = None
    user_id: int | None = None
    chatbot_id: int | None = None
    file: SessionFile | None = None
    text: str | None = None
    chatbot_message_content: Any = None
    response: Tolerant[SessionAVRequestState] | None = None
    result: Tolerant[GetMediaResult] | None = None
    stream_available: bool | None = None
    to_operator_user_id: int | None = None
    to_operator_full_name: str | None = None
    to_group_id: int | None = None
    to_group_name: str | None = None
    to_phone_number: str | None = None
    note: str | None = None
    original_form_id: int | str | None = None
    hero_card: list[FormField] = Field(default_factory=list)
    call_script: list[FormField] = Field(default_factory=list)
    reply_to_activity_id: int | None = None
    submission_of_activity_id: int | None = None
    submission_by_operator_id: int | None = None
    submission_result: Tolerant[HeroCardSubmissionResult] | None = None
    submission_params: dict[str, Any] | None = None
    submission_identification: str | None = None
    termination_reason: Tolerant[SessionTerminationReason] | None = None
    chatbot_hero_card_submission_key: str | None = None
    chatbot_hero_card_submission_value: str | None = None
    status: Tolerant[DeliveryState] | None = None


class Recording(ApiModel):
    id: int | str | None = None
    name: str | None = None
    started: datetime | None = None
    duration: timedelta | None = None
    type: Tolerant[SessionRecordingType] | None = None
    user_id: int | None = None
    service_id: int | None = None
    download_url: str | None = None
    is_uploading: bool | None = None
    is_deleted: bool | None = None


class AssignedTag(ApiModel):
    user_id: int | None = None
    name: str | None = None


class ChatbotInfo(ApiModel):
    chatbot_id: int | None = None
    name: str | None = None
    joined: datetime | None = None
    left: datetime | None = None


class SessionModel(ApiModel):
    id: int
    company_id: int | None = None
    department_id: int | None = None
    guest: GuestInfo = Field(default_factory=GuestInfo)
    channel: Tolerant[SessionChannel] | None = None
    source: Tolerant[SessionSource] | None = None
    status: Tolerant[SessionStatus] | None = None
    av_support: Tolerant[ClientAVSupport] | None = None
    direct_call_number: str | None = None
    phone_callback_number: str | None = None
    is_direct_chat: bool | None = None
    url: str | None = None
    widget: str | None = None
    operators: list[SessionOperators] = Field(default_factory=list)
    reviewers: list[ReviewerInfo] = Field(default_factory=list)
    created: datetime | None = None
    guest_joined: datetime | None = None
    started: datetime | None = None
    ended: datetime | None = None
    waited: timedelta | None = None
    length: timedelta | None = None
    blacklisted: bool | None = None
    phone_callback_dialed: datetime | None = None
    activities: list[Activity] = Field(default_factory=list)
    tags: list[AssignedTag] = Field(default_factory=list)
    chatbots: list[ChatbotInfo] = Field(default_factory=list)
    guest_feedback_stars: int | None = None
    guest_feedback_scale: Tolerant[FeedbackScale] | None = None
    guest_feedback_text: str | None = None
    auto_accepted: bool | None = None
    recordings: list[Recording] | None = None
    recordings_state: Tolerant[SessionRecordingsState] | None = None
    guest_left_session: Tolerant[GuestLeftSessionInState] | None = None
    outbound_dial_result: Tolerant[DialNumberState] | None = None
    campaign_id: int | None = None

    @property
    def termination_reason(self) -> str | None:
        """The end reason: from the SessionEnded activity (the API has no session-level field)."""
        for activity in reversed(self.activities):
            if activity.type == SessionActivityType.SessionEnded and activity.termination_reason:
                return str(activity.termination_reason)
        return None


class CallParam(ApiModel):
    name: str
    value: str | None = None
    read_only: bool | None = None
    source: Tolerant[ClientCallParamSource] | None = None
    updated_date: datetime | None = None


class CallParamsModel(ApiModel):
    call_params: list[CallParam] = Field(default_factory=list)


class UserModel(ApiModel):
    id: int
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    email: str | None = None
    note: str | None = None
    enabled: bool | None = None
    departments: list[int] = Field(default_factory=list)
    groups: list[int] = Field(default_factory=list)
    global_roles: list[str] = Field(default_factory=list)

    @property
    def full_name(self) -> str:
        name = " ".join(p for p in (self.first_name, self.last_name) if p)
        return name or self.username or f"#{self.id}"


class OperatorStateModel(ApiModel):
    user_id: int
    state_kind: Tolerant[OperatorStateKind] | None = None
    break_state_id: int | None = None
    break_state_name: str | None = None
    is_break_state_paid: bool | None = None
    note: str | None = None
    changed: datetime | None = None
    forced: bool | None = None


class GroupModel(ApiModel):
    id: int
    name: str | None = None
    created: datetime | None = None
    type: Tolerant[OperatorGroupType] | None = None
    department_id: int | None = None


class RoutingOperator(ApiModel):
    user_id: int | None = None
    first_name: str | None = None
    last_name: str | None = None


class RoutingGroup(ApiModel):
    id: int | None = None
    name: str | None = None


class RoutingTimeLine(ApiModel):
    routing_request_id: int | str | None = None
    timestamp: datetime | None = None
    activity_type: Tolerant[RoutingTimelineActivityType] | None = None
    group: RoutingGroup | None = None
    phone_number: str | None = None
    operator: RoutingOperator | None = None
    forwarded_by_operator: RoutingOperator | None = None
    invited_by_operator: RoutingOperator | None = None


class SessionNote(ApiModel):
    """A session note. The public model is only ``SessionNoteModel {note}``; the rest is how the
    simulator (and the console) describe a stored note."""

    id: int | str | None = None
    note: str = ""
    user_id: int | None = None
    author: str | None = None
    created: datetime | None = None


class ForwardSessionModel(ApiModel):
    operator_group_id: int | None = None
    user_id: int | None = None
    chatbot_id: int | None = None
    phone_number: str | None = None
    note: str | None = None


class TokenResponse(BaseModel):
    access_token: str
    expires_in: int = 3600
    token_type: str = "Bearer"


def parse_session(data: Any) -> SessionModel | None:
    """Validate one SessionModel, dropping only the fields that do not fit.

    Returns None when the item is not a session at all (not an object, or no usable ``id``).
    """
    if not isinstance(data, dict):
        return None
    try:  # the common case: valid as it is, no copy needed
        return SessionModel.model_validate(data)
    except ValidationError:
        pass
    payload = copy.deepcopy(data)
    for _ in range(16):
        try:
            return SessionModel.model_validate(payload)
        except ValidationError as exc:
            locs = [tuple(err.get("loc") or ()) for err in exc.errors()]
            if not locs or any(not loc or loc[0] == "id" for loc in locs):
                return None
            for loc in locs:
                _drop_path(payload, loc)
    return None


def _drop_path(payload: dict[str, Any], loc: tuple[Any, ...]) -> None:
    """Remove the value at ``loc`` (the deepest key that exists), so the rest of it survives."""
    node: Any = payload
    for part in loc[:-1]:
        try:
            child = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if not isinstance(child, dict | list):
            break
        node = child
    else:
        last = loc[-1]
        if isinstance(node, dict) and last in node:
            del node[last]
            return
        if isinstance(node, list) and isinstance(last, int) and last < len(node):
            node.pop(last)
            return
    payload.pop(loc[0], None)
