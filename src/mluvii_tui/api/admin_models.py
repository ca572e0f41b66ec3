"""Models of the admin actions (issue 13): who am I, group availability, forwarding, bans,
contacting a client again, message templates. The reference confirms ForwardSessionModel and
GroupAvailabilityModel's ``overallWorkload`` (§3.10, §3.13); the rest is the simulator's
definition in mluvii's style (camelCase, ISO times and durations)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import Field

from .models import ApiModel
from .roles import (  # noqa: F401 - the names of CurrentUser.permissions, kept importable here
    BLACKLIST,
    CALL_PARAMS,
    CONTACT,
    FORWARD,
    NOTES,
    ROLE_ADMIN,
    ROLE_OPERATOR,
)


class CurrentUser(ApiModel):
    """``GET /api/v1/users/me``: UserModel of the caller plus role and permissions."""

    id: int
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    email: str | None = None
    global_roles: list[str] = Field(default_factory=list)
    department_roles: dict[str, list[str]] = Field(default_factory=dict)
    role: str = ROLE_OPERATOR
    permissions: list[str] = Field(default_factory=list)

    @property
    def is_admin(self) -> bool:
        return self.role == ROLE_ADMIN

    def may(self, permission: str) -> bool:
        return permission in self.permissions

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or (self.username or "")


class ForwardSessionModel(ApiModel):
    """Reference §3.10: one target (operatorGroupId or userId) and a note for the next one."""

    operator_group_id: int | None = None
    user_id: int | None = None
    note: str | None = None


class GroupAvailability(ApiModel):
    id: int
    name: str | None = None
    operators_online: int = 0
    operators_busy: int = 0
    operators_away: int = 0
    operators_offline: int = 0
    clients_waiting: int = 0
    longest_wait: timedelta | None = None
    longest_wait_since: datetime | None = None


class OperatorAvailability(ApiModel):
    user_id: int
    first_name: str | None = None
    last_name: str | None = None
    group_ids: list[int] = Field(default_factory=list)
    state_kind: str | None = None  # OperatorStateKind
    status: str | None = None  # UserSimplifiedStatus: ONLINE | BUSY | AWAY | OFFLINE
    availability_status: str | None = None  # UserAvailabilityStatus
    availability_status_reason: str | None = None
    active_sessions: int = 0
    acw_sessions: int = 0
    changed: datetime | None = None

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)


class Availability(ApiModel):
    """``GET /api/v1/Groups/availability``: GroupAvailabilityModel plus per group/operator."""

    overall_workload: dict[str, Any] = Field(default_factory=dict)
    groups: list[GroupAvailability] = Field(default_factory=list)
    operators: list[OperatorAvailability] = Field(default_factory=list)


class BanEntry(ApiModel):
    """A ban: channel (Common.Channel: Mluvii, Phone, WhatsApp, Facebook, Apple, VK) and the
    identity that channel knows (ipAddress + trackedId, phoneNumber or channelUserId)."""

    id: int
    channel: str
    ip_address: str | None = None
    tracked_id: str | None = None
    phone_number: str | None = None
    channel_user_id: str | None = None
    reason: str = ""
    created: datetime | None = None
    created_by_user_id: int | None = None
    expires: datetime | None = None
    active: bool = True
    deactivated: datetime | None = None
    deactivated_by_user_id: int | None = None
    session_id: int | None = None
    sessions_marked: int | None = None  # only in the answer to a new ban


class ContactRule(ApiModel):
    """``GET /api/v1/Sessions/{id}/contact``: where the session stands under its channel's rule."""

    session_id: int
    source: str | None = None
    allowed: bool = False
    free_text: bool = False
    template_only: bool = False
    message_tag: str | None = None  # "HUMAN_AGENT" for Messenger between 24 h and 7 days
    last_client_message: datetime | None = None
    window_ends: datetime | None = None
    rule: str = ""
    reason: str = ""


class ContactResult(ApiModel):
    session_id: int
    previous_session_id: int
    message_tag: str | None = None


class MessageTemplate(ApiModel):
    id: int
    name: str
    channel: str | None = None
    language: str | None = None
    text: str = ""
    params: list[str] = Field(default_factory=list)
