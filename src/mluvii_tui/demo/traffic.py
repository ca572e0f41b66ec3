"""The traffic mix of generated sessions: channels and sources with weights, outcomes, hours."""

from __future__ import annotations

# (channel, source, weight)
CHANNEL_SOURCES = (
    ("Chat", "Default", 40), ("Chat", "WhatsApp", 10), ("Chat", "Facebook", 7),
    ("Chat", "Apple", 2), ("Chat", "VK", 1), ("Chat", "GenericChannel", 1),
    ("Chat", "ChatInvitation", 2),
    ("Chat", "Invitation", 1), ("Chat", "API", 1), ("AV", "Default", 5), ("AV", "Invitation", 3),
    ("Phone", "IncomingCall", 13), ("Phone", "OutgoingCall", 5), ("Phone", "Callback", 5),
    ("Phone", "Campaign", 4),
)  # fmt: skip
CHANNEL_CUM: list[float] = []
_acc = 0.0
for _c in CHANNEL_SOURCES:
    _acc += _c[2]
    CHANNEL_CUM.append(_acc)
MESSAGING = frozenset({"WhatsApp", "Facebook", "Apple", "VK", "GenericChannel"})
OS_BROWSER = (
    ("WINDOWS", "CHROME"), ("WINDOWS", "CHROMIUM_EDGE"), ("WINDOWS", "FF"), ("OSX", "SAFARI"),
    ("OSX", "CHROME"), ("ANDROID", "CHROME"), ("IOS", "SAFARI"), ("LINUX", "FF"),
    ("WINDOWS", "IE_11"), ("OTHER", "OPERA"),
)  # fmt: skip
DIAL_FAILURES = ("NO_ANSWER", "FAILED", "REJECTED", "UNREACHABLE", "INVALID_NUMBER", "BLACKLISTED")
PHONE_REASONS = (
    ("ExternalPartyLeft",) * 8
    + ("OperatorLeft",) * 6
    + ("CallForwardedToExternalPhone", "OperatorWithoutExtension", "ForwardToExternalPhoneFailed")
)
LIVE_PATTERN = ("IN_QUEUE", "ACTIVE", "ACW", "WAITING", "ACTIVE", "ACW", "ACTIVE", "IN_QUEUE")
# Relative traffic per local hour of day (index 0..23).
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 4, 8, 14, 18, 19, 18, 15, 16, 17, 16, 14, 11, 8, 6, 5, 4, 2, 1)
