"""Transcripts straight from the stored JSON, for exports (no pydantic, no TranscriptItem).

``fast_items(data)`` reads a session's API JSON (the store's ``raw``) and returns light item
tuples ``(kind, sender, sender_name, time, text, delivery, file)`` equal to what
``transcript.build_transcript(parse_session(data))`` yields, or None when the session holds
anything outside the plain shapes it knows: a value of another type than the API sends, a
snake_case key pydantic would also accept, an unparsable time, a form (HeroCard, CallScript and
their submissions). The caller then takes the exact path (pydantic + build_transcript), so the
output never differs; the tests compare both paths on the demo generator's sessions.

System lines use transcript.py's own ``_system_text``; message and file items repeat its rules.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from ..api.enums import (
    ClientType,
    DeliveryState,
    GetMediaResult,
    SessionActivityType,
    SessionAVRequestState,
    SessionTerminationReason,
)
from ..text import clean, one_line
from ..transcript import (
    _FORM_TYPES,
    _MESSAGE_TYPES,
    CHATBOT,
    FILE,
    GUEST,
    MESSAGE,
    OPERATOR,
    SYSTEM,
    SYSTEM_SENDER,
    FileInfo,
    _content_text,
    _system_text,
)

Item = tuple[str, str, str, "datetime | None", str, str, "FileInfo | None"]

_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d:\d\d)?")


def _canon_map(enum_cls: Any) -> dict[str, str]:
    out = {m.value.lower(): m.value for m in enum_cls}
    out.update({m.value: m.value for m in enum_cls})
    return out


_TYPES = _canon_map(SessionActivityType)
_CLIENTS = _canon_map(ClientType)
_DELIVERY = _canon_map(DeliveryState)
_REASONS = _canon_map(SessionTerminationReason)
_AV = _canon_map(SessionAVRequestState)
_MEDIA = _canon_map(GetMediaResult)

#: Activity keys (camelCase, as the API sends them) this reader understands or may ignore.
_USED = {
    "activityId": int,
    "time": str,
    "type": str,
    "client": str,
    "userId": int,
    "chatbotId": int,
    "file": dict,
    "text": str,
    "response": str,
    "result": str,
    "toOperatorUserId": int,
    "toOperatorFullName": str,
    "toGroupId": int,
    "toGroupName": str,
    "toPhoneNumber": str,
    "note": str,
    "terminationReason": str,
    "chatbotHeroCardSubmissionKey": str,
    "chatbotHeroCardSubmissionValue": str,
    "status": str,
}
#: Keys whose value the transcript never reads (a bad value there is dropped by pydantic alone).
_IGNORED = frozenset(
    {
        "streamAvailable",
        "originalFormId",
        "replyToActivityId",
        "submissionIdentification",
        "chatbotMessageContent",  # read below, any JSON value is valid
    }
)
_ACTIVITY_KEYS = frozenset(_USED) | _IGNORED
_FILE_KEYS = frozenset(
    {"id", "operatorOwner", "departmentOwner", "name", "downloadUrl", "isUploading", "isDeleted"}
    | {"size"}
)


_OP_SNAKE = frozenset({"user_id", "user_name", "first_name", "last_name"})


class Unsupported(Exception):
    """The session is outside the fast path; use the exact one."""


def _canon(table: dict[str, str], value: Any) -> str:
    if value is None:
        return ""
    if value.__class__ is not str:
        raise Unsupported
    hit = table.get(value)
    if hit is None:
        hit = table.get(value.lower(), value)
    return hit


def _opt(value: Any, kind: type) -> Any:
    if value is None or value.__class__ is kind:
        return value
    raise Unsupported


class _Names:
    """transcript._Names over JSON: operator and chatbot names by id."""

    __slots__ = ("bots", "users")

    def __init__(self, data: dict[str, Any]) -> None:
        self.users: dict[int, str] = {}
        self.bots: dict[int, str] = {}
        ops = data.get("operators")
        if ops is not None:
            if ops.__class__ is not list:
                raise Unsupported
            for op in ops:
                if op.__class__ is not dict or not _OP_SNAKE.isdisjoint(op):
                    raise Unsupported
                uid = _opt(op.get("userId"), int)
                first = _opt(op.get("firstName"), str)
                last = _opt(op.get("lastName"), str)
                user_name = _opt(op.get("userName"), str)
                full = " ".join(p for p in (first, last) if p)
                full = full or user_name or (f"#{uid}" if uid else "")
                if uid is not None and full:
                    self.users[uid] = one_line(full, 80)
        bots = data.get("chatbots")
        if bots is not None:
            if bots.__class__ is not list:
                raise Unsupported
            for b in bots:
                if b.__class__ is not dict or "chatbot_id" in b:
                    raise Unsupported
                cid = _opt(b.get("chatbotId"), int)
                name = _opt(b.get("name"), str)
                if cid and name:
                    self.bots[cid] = one_line(name, 80)

    def user(self, user_id: int | None) -> str:
        if user_id is None:
            return "Operator"
        return self.users.get(user_id, f"Operator #{user_id}")

    def bot(self, chatbot_id: int | None) -> str:
        if chatbot_id is None:
            return "Chatbot"
        return self.bots.get(chatbot_id, f"Chatbot #{chatbot_id}")


class _Act:
    """The attributes ``transcript._system_text`` reads, from one activity's JSON."""

    __slots__ = (
        "chatbot_id",
        "client",
        "note",
        "response",
        "result",
        "termination_reason",
        "text",
        "to_group_id",
        "to_group_name",
        "to_operator_full_name",
        "to_operator_user_id",
        "to_phone_number",
        "user_id",
    )

    def __init__(self, a: dict[str, Any], client: str, uid: Any, cid: Any, text: Any) -> None:
        self.client = client
        self.user_id = uid
        self.chatbot_id = cid
        self.text = text
        self.note = a.get("note")
        self.response = _canon(_AV, a.get("response"))
        self.result = _canon(_MEDIA, a.get("result"))
        self.termination_reason = _canon(_REASONS, a.get("terminationReason"))
        self.to_operator_full_name = a.get("toOperatorFullName")
        self.to_operator_user_id = a.get("toOperatorUserId")
        self.to_group_name = a.get("toGroupName")
        self.to_group_id = a.get("toGroupId")
        self.to_phone_number = a.get("toPhoneNumber")


def _file(f: dict[str, Any] | None) -> FileInfo:
    if f is None:
        return FileInfo(name="(file)")
    if not _FILE_KEYS.issuperset(f):
        raise Unsupported
    name = _opt(f.get("name"), str)
    url = _opt(f.get("downloadUrl"), str)
    return FileInfo(
        name=one_line(name, 255) or "(file)",
        size=_opt(f.get("size"), int),
        url=url or None,
        deleted=bool(_opt(f.get("isDeleted"), bool)),
        uploading=bool(_opt(f.get("isUploading"), bool)),
    )


def _time(value: Any) -> datetime | None:
    if value is None:
        return None
    if value.__class__ is not str or _TIME.fullmatch(value) is None:
        raise Unsupported
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise Unsupported from None


def _ts(time: datetime | None) -> float:
    try:
        return time.timestamp() if time else 0.0
    except (OverflowError, OSError, ValueError):
        return 0.0


def fast_items(data: Any) -> list[Item] | None:
    """The transcript of a session's JSON as light items, or None (use the exact path)."""
    try:
        return _items(data)
    except Unsupported:
        return None
    except Exception:  # anything unexpected: the exact path decides
        return None


def _items(data: Any) -> list[Item]:
    if data.__class__ is not dict or data.get("id").__class__ is not int:
        raise Unsupported
    acts = data.get("activities")
    if acts is None:
        return []
    if acts.__class__ is not list:
        raise Unsupported
    if not acts:
        return []
    names = _Names(data)
    out: list[Item] = []
    keys: list[tuple[bool, float, int]] = []
    ordered = True
    last = None
    for pos, a in enumerate(acts):
        if a.__class__ is not dict or not _ACTIVITY_KEYS.issuperset(a):
            raise Unsupported
        for k, v in a.items():
            t = _USED.get(k)
            if t is not None and v is not None and v.__class__ is not t:
                raise Unsupported
        time = _time(a.get("time"))
        kind = _canon(_TYPES, a.get("type"))
        if kind in _FORM_TYPES:
            raise Unsupported
        client = _canon(_CLIENTS, a.get("client"))
        uid = a.get("userId")
        cid = a.get("chatbotId")
        delivery = _canon(_DELIVERY, a.get("status"))
        if client == "Guest":
            sender, sender_name = GUEST, "Client"
        elif client == "Chatbot" or (cid is not None and uid is None):
            sender, sender_name = CHATBOT, names.bot(cid)
        elif client == "User" or uid is not None:
            sender, sender_name = OPERATOR, names.user(uid)
        else:
            sender, sender_name = SYSTEM_SENDER, ""
        f = a.get("file")
        if kind in _MESSAGE_TYPES or kind == "ChatbotHeroCardSubmission":
            text = clean(a.get("text"))
            content = a.get("chatbotMessageContent")
            if not text and content is not None:
                text = _content_text(content)
            if kind == "ChatbotHeroCardSubmission" and not text:
                key = clean(a.get("chatbotHeroCardSubmissionKey"))
                value = clean(a.get("chatbotHeroCardSubmissionValue"))
                text = f"{key}: {value}" if key else value
            if sender == SYSTEM_SENDER:
                if "Chatbot" in kind:
                    sender, sender_name = CHATBOT, names.bot(cid)
                else:
                    sender, sender_name = OPERATOR, names.user(uid)
            item = (MESSAGE, sender, sender_name, time, text, delivery, None)
        elif kind == "SharedFile" or f is not None:
            item = (FILE, sender, sender_name, time, clean(a.get("text")), delivery, _file(f))
        else:
            act = _Act(a, client, uid, cid, a.get("text"))
            text = _system_text(act, kind, names)  # type: ignore[arg-type]
            item = (SYSTEM, SYSTEM_SENDER, "", time, text, delivery, None)
        out.append(item)
        key = (time is None, _ts(time), pos)
        if ordered and last is not None and key < last:
            ordered = False
        last = key
        keys.append(key)
    if not ordered:
        order = sorted(range(len(out)), key=keys.__getitem__)
        out = [out[i] for i in order]
    return out
