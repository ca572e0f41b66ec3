"""Transcripts straight from the stored JSON, for exports (no pydantic, no TranscriptItem).

``fast_items(data)`` reads a session's API JSON (the store's ``raw``) and returns light item
tuples ``(kind, sender, sender_name, time, text, delivery, file)`` equal to what
``transcript.build_transcript(parse_session(data))`` yields, or None when the session holds
anything outside the plain shapes it knows: a value of another type than the API sends, a
snake_case key pydantic would also accept, an unparsable time. Form activities (HeroCard,
CallScript and their submissions) go one by one through pydantic (fastforms.py) and come out as
``(FORM, ..., TranscriptItem, iso)``. On None the caller takes the exact path (pydantic +
build_transcript), so the output never differs; the tests compare both paths on the demo
generator's sessions. System lines use transcript.py's own ``_system_text``; message and file
items repeat its rules.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mluvii_tui.domain.transcript import (
    _FORM_TYPES,
    _MESSAGE_TYPES,
    CHATBOT,
    FILE,
    FORM,
    GUEST,
    MESSAGE,
    OPERATOR,
    SYSTEM,
    SYSTEM_SENDER,
    NameLookup,
    _content_text,
    _system_text,
)
from mluvii_tui.text import clean, one_line

from ..api.enums import (
    ClientType,
    DeliveryState,
    GetMediaResult,
    SessionActivityType,
    SessionAVRequestState,
    SessionTerminationReason,
)
from .fastforms import form_item
from .isotail import BAD, offset_of

#: (kind, sender, sender_name, time, text, delivery, file (name, url, deleted, uploading)
Item = tuple[Any, ...]  # or None, iso time to the second or "")


def _canon_map(enum_cls: Any) -> dict[str, str]:
    return {**{m.value.lower(): m.value for m in enum_cls}, **{m.value: m.value for m in enum_cls}}


_TYPES = _canon_map(SessionActivityType)
_CLIENTS = _canon_map(ClientType)
_DELIVERY = _canon_map(DeliveryState)
_REASONS = _canon_map(SessionTerminationReason)
_AV = _canon_map(SessionAVRequestState)
_MEDIA = _canon_map(GetMediaResult)

#: Activity keys (camelCase) read here, with the one type accepted (others: the exact path).
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
#: Form fields: read only for form kinds (the exact path's); the store's own JSON (a model dump)
#: writes them as [] on every activity. Absent or exactly [] passes, anything else declines.
_FORM_FIELDS = ("heroCard", "callScript")
_ACTIVITY_KEYS = frozenset(_USED) | _IGNORED | frozenset(_FORM_FIELDS)
_NO_FIELDS: list[Any] = []  # compared with, never changed
_FILE_KEYS = frozenset(
    {"id", "operatorOwner", "departmentOwner", "name", "downloadUrl", "isUploading", "isDeleted"}
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


_OPERATOR_FIELDS = (("userId", int), ("firstName", str), ("lastName", str), ("userName", str))
_FILE_FIELDS = (
    ("name", str),
    ("downloadUrl", str),
    ("isDeleted", bool),
    ("isUploading", bool),
)


def _typed(d: dict[str, Any], fields: tuple[tuple[str, type], ...]) -> list[Any]:
    """The values of ``fields`` in ``d``, each None or exactly its type (else Unsupported)."""
    out = []
    for key, kind in fields:
        value = d.get(key)
        if value is not None and value.__class__ is not kind:
            raise Unsupported
        out.append(value)
    return out


def _opt(value: Any, kind: type) -> Any:
    if value is None or value.__class__ is kind:
        return value
    raise Unsupported


def _line(value: str, limit: int) -> str:
    """``text.one_line(value, limit)``, skipped when it could change nothing: a printable str
    (clean changes only unprintable characters, and the only printable whitespace is " ")
    without double, leading or trailing spaces, within ``limit``."""
    if (
        value.__class__ is str
        and len(value) <= limit
        and value.isprintable()
        and "  " not in value
        and value[:1] != " "
        and value[-1:] != " "
    ):
        return value
    return one_line(value, limit)


class _Names(NameLookup):
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
                uid, first, last, user_name = _typed(op, _OPERATOR_FIELDS)
                full = f"{first} {last}" if first and last else first or last or ""
                full = full or user_name or (f"#{uid}" if uid else "")
                if uid is not None and full:
                    self.users[uid] = _line(full, 80)
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
                    self.bots[cid] = _line(name, 80)


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
        self.note = _opt(a.get("note"), str)
        self.response = _canon(_AV, a.get("response"))
        self.result = _canon(_MEDIA, a.get("result"))
        self.termination_reason = _canon(_REASONS, a.get("terminationReason"))
        self.to_operator_full_name = _opt(a.get("toOperatorFullName"), str)
        self.to_operator_user_id = _opt(a.get("toOperatorUserId"), int)
        self.to_group_name = _opt(a.get("toGroupName"), str)
        self.to_group_id = _opt(a.get("toGroupId"), int)
        self.to_phone_number = _opt(a.get("toPhoneNumber"), str)


def _file(f: Any) -> tuple[str, str | None, bool, bool]:
    """(name, url, deleted, uploading): transcript._file as a tuple."""
    if f is None:
        return ("(file)", None, False, False)
    if f.__class__ is not dict or not _FILE_KEYS.issuperset(f):
        raise Unsupported
    name, url, deleted, uploading = _typed(f, _FILE_FIELDS)
    return (
        (_line(name, 255) if name else "") or "(file)",
        url or None,
        deleted is True,
        uploading is True,
    )


def _ts(time: datetime | None) -> float:
    try:
        return time.timestamp() if time else 0.0
    except (OverflowError, OSError, ValueError):
        return 0.0


def _clean(value: Any) -> str:
    if value is None:
        return ""
    if value.__class__ is not str:
        raise Unsupported
    # text.clean changes only unprintable characters (its invisible ones are all unprintable)
    return value if value.isprintable() else clean(value)


def fast_items(data: Any) -> list[Item] | None:
    """The transcript of a session's JSON as light items, or None (use the exact path)."""
    try:
        return _items(data)
    except Exception:  # Unsupported, or anything unexpected: the exact path decides
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
    ordered = True
    last = ""
    first_tail: str | None = None
    keys_ok = _ACTIVITY_KEYS.issuperset
    fromiso = datetime.fromisoformat
    for a in acts:
        if a.__class__ is not dict:
            raise Unsupported
        # keys and form fields as the plain kinds have them (forms: pydantic checks them)
        plain = (
            keys_ok(a)
            and a.get("heroCard", _NO_FIELDS) == _NO_FIELDS
            and a.get("callScript", _NO_FIELDS) == _NO_FIELDS
        )
        v = a.get("time")
        if v is None:
            time = None
            iso = ""
            ordered = False
        else:
            if (
                v.__class__ is not str
                or len(v) < 19
                or v[10] != "T"
                or v[4] != "-"
                or v[7] != "-"
                or v[13] != ":"
                or v[16] != ":"
                or not v.isascii()
            ):
                raise Unsupported
            tail = offset_of(v[19:])
            if tail == BAD:
                raise Unsupported
            time = fromiso(v)  # ValueError (no such date): Unsupported via fast_items
            if not tail:  # naive (local) times: order by timestamp, as build_transcript
                ordered = False
            iso = v[:19] + tail
            if ordered:  # same offset everywhere: the strings sort like the times
                if first_tail is None:
                    first_tail = tail
                if tail != first_tail or v < last:
                    ordered = False
                last = v
        v = a.get("type")
        kind = _TYPES.get(v) or _canon(_TYPES, v)
        form = kind in _FORM_TYPES
        if not plain and not form:
            raise Unsupported
        v = a.get("client")
        client = _CLIENTS.get(v) or _canon(_CLIENTS, v)
        uid = a.get("userId")
        if uid is not None and uid.__class__ is not int:
            raise Unsupported
        cid = a.get("chatbotId")
        if cid is not None and cid.__class__ is not int:
            raise Unsupported
        v = a.get("status")
        delivery = "" if v is None else _DELIVERY.get(v) or _canon(_DELIVERY, v)
        if client == "Guest":
            sender, sender_name = GUEST, "Client"
        elif client == "Chatbot" or (cid is not None and uid is None):
            sender, sender_name = CHATBOT, names.bot(cid)
        elif client == "User" or uid is not None:
            sender, sender_name = OPERATOR, names.user(uid)
        else:
            sender, sender_name = SYSTEM_SENDER, ""
        if form:  # one activity through pydantic and transcript._form (fastforms.py)
            item = form_item(a, acts, kind, sender, sender_name, names)
            if item is None:
                raise Unsupported
            out.append((FORM, item.sender, item.sender_name, time, "", item.delivery, item, iso))
            continue
        f = a.get("file")
        if kind in _MESSAGE_TYPES or kind == "ChatbotHeroCardSubmission":
            text = message_text(a, kind, _clean(a.get("text")))
            if sender == SYSTEM_SENDER:
                sender, sender_name = message_sender(kind, names, uid, cid)
            out.append((MESSAGE, sender, sender_name, time, text, delivery, None, iso))
        elif kind == "SharedFile" or f is not None:
            text = _clean(a.get("text"))
            out.append((FILE, sender, sender_name, time, text, delivery, _file(f), iso))
        else:
            text = system_line(a, kind, sender_name, client, uid, cid, names)
            out.append((SYSTEM, SYSTEM_SENDER, "", time, text, delivery, None, iso))
    if not ordered:  # transcript.build_transcript's order: (no time, time, position)
        order = sorted(range(len(out)), key=lambda i: (out[i][3] is None, _ts(out[i][3]), i))
        out = [out[i] for i in order]
    return out


def system_line(a: dict, kind: str, who: str, client: Any, uid: Any, cid: Any, names: Any) -> str:
    """transcript._system_text (commonest kinds inline); Unsupported for a text of a wrong type."""
    if kind in ("Joined", "Left"):
        return f"{who or names.user(uid)} {kind.lower()}"
    if kind == "SessionEnded":
        reason = _canon(_REASONS, a.get("terminationReason"))
        return f"Session ended — {reason}" if reason else "Session ended"
    text = a.get("text")
    if text is not None and text.__class__ is not str:
        raise Unsupported
    return _system_text(_Act(a, client, uid, cid, text), kind, names)  # type: ignore[arg-type]


def message_text(a: dict, kind: str, text: str) -> str:  # else chatbot content, hero answer
    if not text and (content := a.get("chatbotMessageContent")) is not None:
        text = _content_text(content)
    if kind == "ChatbotHeroCardSubmission" and not text:
        key = _clean(a.get("chatbotHeroCardSubmissionKey"))
        value = _clean(a.get("chatbotHeroCardSubmissionValue"))
        text = f"{key}: {value}" if key else value
    return text


def message_sender(kind: str, names: Any, uid: Any, cid: Any) -> tuple[str, str]:
    # who sent a message that names no client: the chatbot for its kinds, else an operator
    return (CHATBOT, names.bot(cid)) if "Chatbot" in kind else (OPERATOR, names.user(uid))
