"""mluvii enumerations, exactly as the public API spells them (reference/mluvii-api.md §6).

The API adds enum values without notice. Model fields therefore use ``Tolerant[E]``: a known value
becomes the enum member, an unknown one is kept as its raw string, and nothing fails.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, Union


class SessionChannel(StrEnum):
    Chat = "Chat"
    AV = "AV"
    Phone = "Phone"


class SessionSource(StrEnum):
    Default = "Default"
    Callback = "Callback"
    Invitation = "Invitation"
    ChatInvitation = "ChatInvitation"
    IncomingCall = "IncomingCall"
    OutgoingCall = "OutgoingCall"
    Campaign = "Campaign"
    API = "API"
    Facebook = "Facebook"
    WhatsApp = "WhatsApp"
    VK = "VK"
    Apple = "Apple"
    GenericChannel = "GenericChannel"


class SessionStatus(StrEnum):
    CREATED = "CREATED"
    IN_QUEUE = "IN_QUEUE"
    WAITING = "WAITING"
    ACTIVE = "ACTIVE"
    ACW = "ACW"
    BCW = "BCW"
    CLOSED = "CLOSED"
    BLACKLISTED = "BLACKLISTED"


#: Statuses of a session that is still going on (the Live view).
LIVE_STATUSES: frozenset[str] = frozenset(
    {"CREATED", "IN_QUEUE", "WAITING", "ACTIVE", "ACW", "BCW"}
)


class SessionTerminationReason(StrEnum):
    UnknownReason = "UnknownReason"
    GuestLeft = "GuestLeft"
    OperatorLeft = "OperatorLeft"
    ChatbotLeft = "ChatbotLeft"
    GuestAbandoned = "GuestAbandoned"
    OperatorAbandoned = "OperatorAbandoned"
    ExternalPartyLeft = "ExternalPartyLeft"
    CampaignFailedDial = "CampaignFailedDial"
    CampaignTerminated = "CampaignTerminated"
    CallForwardedToExternalPhone = "CallForwardedToExternalPhone"
    OperatorWithoutExtension = "OperatorWithoutExtension"
    ForwardToExternalPhoneFailed = "ForwardToExternalPhoneFailed"
    FailedRouting = "FailedRouting"
    ExternalSessionExpired = "ExternalSessionExpired"
    SessionApiCall = "SessionApiCall"
    SingleUseSession = "SingleUseSession"


class GuestLeftSessionInState(StrEnum):
    LeftQueue = "LeftQueue"
    LeftSession = "LeftSession"
    LeftAfterSession = "LeftAfterSession"
    StillConnected = "StillConnected"
    LeftBeforeQueue = "LeftBeforeQueue"


class SessionActivityType(StrEnum):
    ChatMessage = "ChatMessage"
    SharedFile = "SharedFile"
    SharedScreen = "SharedScreen"
    PhotoRequest = "PhotoRequest"
    CobrowsingStarted = "CobrowsingStarted"
    CobrowsingStoppedByGuest = "CobrowsingStoppedByGuest"
    ScreenSharingFailedByGuest = "ScreenSharingFailedByGuest"
    FileUploadFailed = "FileUploadFailed"
    HeroCard = "HeroCard"
    HeroCardSubmission = "HeroCardSubmission"
    ChatbotMessage = "ChatbotMessage"
    CallScript = "CallScript"
    CallScriptSubmission = "CallScriptSubmission"
    WelcomeMessage = "WelcomeMessage"
    LastFarewellMessage = "LastFarewellMessage"
    PreviewUrl = "PreviewUrl"
    Location = "Location"
    HeroCardQuickReply = "HeroCardQuickReply"
    LocationRequest = "LocationRequest"
    ExternalMessage = "ExternalMessage"
    OnHold = "OnHold"
    ResumeGuest = "ResumeGuest"
    AvRequest = "AvRequest"
    AvResponse = "AvResponse"
    AvGetMediaResult = "AvGetMediaResult"
    AvTerminated = "AvTerminated"
    ChatToMail = "ChatToMail"
    AutoActivity = "AutoActivity"
    ChatbotHeroCardSubmission = "ChatbotHeroCardSubmission"
    AutoActivityAsOperator = "AutoActivityAsOperator"
    NotifyOperator = "NotifyOperator"
    UpgradeToFull = "UpgradeToFull"
    SessionEnded = "SessionEnded"
    SessionForwarded = "SessionForwarded"
    OperatorInvited = "OperatorInvited"
    OperatorInviteCanceled = "OperatorInviteCanceled"
    OperatorInviteRejected = "OperatorInviteRejected"
    OperatorKicked = "OperatorKicked"
    Handoff = "Handoff"
    Joined = "Joined"
    Left = "Left"


#: Activity types that carry a message text someone wrote (searched, counted as messages).
MESSAGE_ACTIVITY_TYPES: frozenset[str] = frozenset(
    {"ChatMessage", "ChatbotMessage", "WelcomeMessage", "LastFarewellMessage", "ExternalMessage"}
)


class ClientType(StrEnum):
    User = "User"
    Guest = "Guest"
    Chatbot = "Chatbot"


class DeliveryState(StrEnum):
    Sent = "Sent"
    SendingFailed = "SendingFailed"
    DeliveryFailed = "DeliveryFailed"
    Delivered = "Delivered"
    Read = "Read"


class SessionRecordingType(StrEnum):
    Other = "Other"
    Operator = "Operator"
    Guest = "Guest"
    AllParticipants = "AllParticipants"
    ScreenSharing = "ScreenSharing"


class SessionRecordingsState(StrEnum):
    Processed = "Processed"
    FailedToProcess = "FailedToProcess"
    Processing = "Processing"


class ClientAVSupport(StrEnum):
    WEB_RTC = "WEB_RTC"
    FLASH_ONLY = "FLASH_ONLY"
    NONE = "NONE"


class SessionAVRequestState(StrEnum):
    None_ = "None"
    Requested = "Requested"
    Accepted = "Accepted"
    RejectedUser = "RejectedUser"
    RejectedShitBrowser = "RejectedShitBrowser"
    RejectedNoMic = "RejectedNoMic"


class GetMediaResult(StrEnum):
    Success = "Success"
    NoCameraOnlyMic = "NoCameraOnlyMic"
    NoDevices = "NoDevices"
    UserDenied = "UserDenied"


class DialNumberState(StrEnum):
    DIALING = "DIALING"
    ANSWERED = "ANSWERED"
    RINGING = "RINGING"
    FAILED = "FAILED"
    NO_ANSWER = "NO_ANSWER"
    BLACKLISTED = "BLACKLISTED"
    REJECTED = "REJECTED"
    INVALID_NUMBER = "INVALID_NUMBER"
    UNREACHABLE = "UNREACHABLE"
    CANCELLED_BY_USER = "CANCELLED_BY_USER"


class FeedbackScale(StrEnum):
    Likert = "Likert"
    NPS = "NPS"


class HeroCardSubmissionResult(StrEnum):
    Submitted = "Submitted"
    Cancelled = "Cancelled"


class ClientCallParamSource(StrEnum):
    USER = "USER"
    WIDGET_API = "WIDGET_API"
    CHATBOT = "CHATBOT"
    HERO_CARD = "HERO_CARD"
    ENTRY_FORM = "ENTRY_FORM"
    FEEDBACK_FORM = "FEEDBACK_FORM"
    OFFLINE_FORM = "OFFLINE_FORM"
    EXTERNAL_MESSAGING = "EXTERNAL_MESSAGING"
    PHONE = "PHONE"
    API = "API"


class GuestOSType(StrEnum):
    OTHER = "OTHER"
    WINDOWS = "WINDOWS"
    OSX = "OSX"
    LINUX = "LINUX"
    ANDROID = "ANDROID"
    IOS = "IOS"


class GuestBrowserType(StrEnum):
    OTHER = "OTHER"
    IE_LOW = "IE_LOW"
    IE_8 = "IE_8"
    IE_9 = "IE_9"
    IE_10 = "IE_10"
    IE_11 = "IE_11"
    IE_HI = "IE_HI"
    CHROME = "CHROME"
    OPERA = "OPERA"
    FF = "FF"
    SAFARI = "SAFARI"
    EDGE = "EDGE"
    CHROMIUM_EDGE = "CHROMIUM_EDGE"


class OperatorStateKind(StrEnum):
    OFFLINE = "OFFLINE"
    DISCONNECTED = "DISCONNECTED"
    ONLINE = "ONLINE"
    AWAY = "AWAY"
    BREAK = "BREAK"
    BEFORE_CALL = "BEFORE_CALL"
    ON_CALL = "ON_CALL"
    AFTER_CALL = "AFTER_CALL"


class OperatorGroupType(StrEnum):
    NORMAL = "NORMAL"
    ALL_OPERATORS = "ALL_OPERATORS"
    CHATBOT = "CHATBOT"


class RoutingTimelineActivityType(StrEnum):
    RoutingRequestCreated = "RoutingRequestCreated"
    EnteredGroupQueue = "EnteredGroupQueue"
    GroupQueueTimeoutExpired = "GroupQueueTimeoutExpired"
    LeftGroupQueue = "LeftGroupQueue"
    AssignedToOperator = "AssignedToOperator"
    OperatorTimeoutExpired = "OperatorTimeoutExpired"
    AcceptedByOperator = "AcceptedByOperator"
    ForwardedToGroup = "ForwardedToGroup"
    ForwardedToUser = "ForwardedToUser"
    ForwardedToPhone = "ForwardedToPhone"
    RoutingEnded = "RoutingEnded"
    InvitedGroup = "InvitedGroup"
    InvitedUser = "InvitedUser"


def _tolerant(enum_cls: type[StrEnum]) -> Any:
    from pydantic import BeforeValidator  # only the models need it: the enums stay light

    by_lower = {m.value.lower(): m for m in enum_cls}

    def coerce(value: Any) -> Any:
        if value is None or isinstance(value, enum_cls):
            return value
        if isinstance(value, str):
            member = by_lower.get(value.lower())
            return member if member is not None else value
        # Numbers or other shapes from an unexpected server: keep a readable string.
        return str(value)

    return Annotated[enum_cls | str, BeforeValidator(coerce)]


class _TolerantFactory:
    """``Tolerant[SessionChannel]``: the enum member when known, else the raw string."""

    def __getitem__(self, enum_cls: type[StrEnum]) -> Any:
        return _tolerant(enum_cls)


if TYPE_CHECKING:  # what a checker sees: the member, or the raw string of an unknown value
    _E = TypeVar("_E", bound=StrEnum)
    Tolerant = Union[_E, str]  # noqa: UP007 - a generic alias needs the Union spelling
else:
    Tolerant = _TolerantFactory()


def enum_text(value: object) -> str:
    """The wire spelling of an enum value or of an unknown raw string ('' for None)."""
    if value is None:
        return ""
    if isinstance(value, StrEnum):
        return value.value
    return str(value)
