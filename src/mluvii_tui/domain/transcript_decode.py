"""The stored session JSON (the model's dump, as a sync writes it) read straight into transcript
items: the one trusted decoder, used by the detail pane, the CSV Transcript column and the HTML
export.

``decode(data)`` checks every value the transcript reads against what pydantic would make of it
(exact types, canonical enum spellings, ISO times of one plain shape) and hands the activities,
as light objects with ``Activity``'s attribute names, to ``transcript.transcript_items``: the
items are built by the same code as from a model. Form activities (HeroCard, CallScript and their
submissions) are validated one by one as ``Activity`` models. Anything else it is not sure of (a
value of another type than the API sends, a snake_case key pydantic would also accept, an
unknown key, a time of another shape) makes it decline with None; ``session_items`` then takes
the exact reading (``parse_session`` + ``build_transcript``), so the items never differ. The
tests compare both readings on the demo generator's sessions and on mutations of them.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from orjson import loads as _orjson_loads

from mluvii_tui.api.enums import (
    ClientType,
    DeliveryState,
    GetMediaResult,
    SessionActivityType,
    SessionAVRequestState,
    SessionTerminationReason,
)
from mluvii_tui.domain.transcript import (
    _FORM_TYPES,
    NameLookup,
    TranscriptItem,
    build_transcript,
    transcript_items,
)
from mluvii_tui.text import one_line

if TYPE_CHECKING:  # the models (pydantic) load when a form or an odd shape needs them
    from mluvii_tui.api.models import SessionModel

#: What ``loads_raw`` gives for a blob that does not decode.
BAD = object()

#: A session by id, from the store's own reading (the raw blob is missing or damaged).
Loader = Callable[[int], "SessionModel | None"]


class Declined(Exception):
    """The session is outside what the decoder is sure of: use the exact reading."""


def loads_raw(source: bytes) -> Any:
    """``json.loads(source)`` (inflated first when it is an older store's zlib blob), or BAD
    when that raises. orjson reads the store's plain UTF-8 JSON ~3x faster with the same values;
    whatever it refuses (a BOM, other encodings, NaN, lone surrogates, integers past 64 bits)
    json.loads decides."""
    try:
        raw = zlib.decompress(source) if source[:1] == b"x" else source  # plain JSON now
    except Exception:
        return BAD
    try:
        return _orjson_loads(raw)
    except Exception:
        pass
    try:
        return json.loads(raw)
    except Exception:
        return BAD


def _canon_map(enum_cls: type[StrEnum]) -> dict[str, str]:
    """Wire spelling -> canonical value, also by lower case (as ``Tolerant`` reads them)."""
    return {**{m.value.lower(): m.value for m in enum_cls}, **{m.value: m.value for m in enum_cls}}


def _canon(table: dict[str, str], value: Any) -> str:
    if value.__class__ is not str:
        raise Declined
    hit = table.get(value)
    return hit if hit is not None else table.get(value.lower(), value)


_TYPES = _canon_map(SessionActivityType)
#: A time of the shape whose reading by ``datetime.fromisoformat`` equals pydantic's.
#: An API time the fast readers accept (seconds, optional 1-6 digit fraction and offset).
API_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})?"
).fullmatch

#: camelCase key -> (attribute, the one type pydantic keeps as it is (None: any value), the
#: enum's table of canonical spellings or None).
_KEYS: dict[str, tuple[str, type | None, dict[str, str] | None]] = {
    "activityId": ("activity_id", int, None),
    "time": ("time", str, None),  # parsed below
    "type": ("type", str, _TYPES),
    "client": ("client", str, _canon_map(ClientType)),
    "userId": ("user_id", int, None),
    "chatbotId": ("chatbot_id", int, None),
    "file": ("file", dict, None),  # read below
    "text": ("text", str, None),
    "chatbotMessageContent": ("chatbot_message_content", None, None),
    "response": ("response", str, _canon_map(SessionAVRequestState)),
    "result": ("result", str, _canon_map(GetMediaResult)),
    "toOperatorUserId": ("to_operator_user_id", int, None),
    "toOperatorFullName": ("to_operator_full_name", str, None),
    "toGroupId": ("to_group_id", int, None),
    "toGroupName": ("to_group_name", str, None),
    "toPhoneNumber": ("to_phone_number", str, None),
    "note": ("note", str, None),
    "terminationReason": ("termination_reason", str, _canon_map(SessionTerminationReason)),
    "chatbotHeroCardSubmissionKey": ("chatbot_hero_card_submission_key", str, None),
    "chatbotHeroCardSubmissionValue": ("chatbot_hero_card_submission_value", str, None),
    "status": ("status", str, _canon_map(DeliveryState)),
    # form fields: the store's dump writes [] on every activity; anything else is a form
    "heroCard": ("hero_card", list, None),
    "callScript": ("call_script", list, None),
    # never read by the transcript (a bad value there is dropped by pydantic alone)
    **{
        key: ("_unread", None, None)
        for key in (
            "streamAvailable",
            "originalFormId",
            "replyToActivityId",
            "submissionIdentification",
        )
    },
}
_FILE_KEYS = frozenset(
    {"id", "operatorOwner", "departmentOwner", "name", "downloadUrl", "isUploading", "isDeleted"}
)
#: (key, attribute, type) of the file fields the transcript reads
_FILE_FIELDS = (
    ("name", "name", str),
    ("downloadUrl", "download_url", str),
    ("isDeleted", "is_deleted", bool),
    ("isUploading", "is_uploading", bool),
)
_OPERATOR_SNAKE = frozenset({"user_id", "user_name", "first_name", "last_name"})


class _Activity:
    """An activity's JSON with ``Activity``'s attribute names and pydantic's values (absent:
    the class default)."""

    activity_id = time = type = client = user_id = chatbot_id = file = text = None
    chatbot_message_content = response = result = note = termination_reason = status = None
    to_operator_user_id = to_operator_full_name = to_group_id = to_group_name = None
    to_phone_number = None
    chatbot_hero_card_submission_key = chatbot_hero_card_submission_value = None
    hero_card: tuple[()] = ()
    call_script: tuple[()] = ()


class _File:
    """A shared file's JSON with ``SessionFile``'s attribute names."""

    __slots__ = ("download_url", "is_deleted", "is_uploading", "name")


def _typed(value: Any, kind: type) -> Any:
    if value is None or value.__class__ is kind:
        return value
    raise Declined


def _file(value: Any) -> _File:
    if value.__class__ is not dict or not _FILE_KEYS.issuperset(value):
        raise Declined
    f = _File()
    for key, attr, kind in _FILE_FIELDS:
        setattr(f, attr, _typed(value.get(key), kind))
    return f


def _time(value: str) -> datetime:
    if API_TIME(value) is None:
        raise Declined
    return datetime.fromisoformat(value)  # ValueError (no such date): declined by decode()


def _activity(a: Any) -> Any:
    """One activity's JSON as an ``Activity``-like object (a form: a validated model)."""
    if a.__class__ is not dict:
        raise Declined
    kind: Any = _TYPES.get(a.get("type"))  # type: ignore[arg-type]  # a non-str type is None here
    if kind in _FORM_TYPES:  # forms: pydantic reads the whole activity
        from pydantic import ValidationError

        from mluvii_tui.api.models import Activity

        try:
            return Activity.model_validate(a)
        except ValidationError:
            raise Declined from None
    shape = tuple(a)
    read = _readers.get(shape)
    if read is None:
        if len(_readers) >= 1024:
            _readers.clear()
        read = _readers[shape] = _reader(shape)
    return read(*a.values())


#: activity keys in their order -> the function that reads an activity of that shape
_readers: dict[tuple[str, ...], Callable[..., _Activity]] = {}


def _reader(shape: tuple[str, ...]) -> Callable[..., _Activity]:
    """Straight-line code reading an activity with exactly these keys (an activity's values,
    in order, as arguments): each value checked as _KEYS says, then kept under its attribute
    name; a key outside _KEYS (unknown, or snake_case) declines. A store holds few shapes."""
    env: dict[str, Any] = {"Declined": Declined, "_canon": _canon, "_time": _time}
    env |= {"_file": _file, "_Activity": _Activity}
    args = [f"v{i}" for i in range(len(shape))]
    body = [f"def read({', '.join(args)}):", "    d = {}"]
    for i, key in enumerate(shape):
        spec = _KEYS.get(key)
        if spec is None:
            body.append("    raise Declined  # an unknown or a snake_case key")
            break
        attr, kind, table = spec
        v = args[i]
        if attr == "_unread":
            continue
        body.append(f"    if {v} is not None:")
        if kind is not None:
            env[f"_K{i}"] = kind
            body.append(f"        if {v}.__class__ is not _K{i}: raise Declined")
        if table is not None:
            env[f"_E{i}"] = table
            body.append(f"        d[{attr!r}] = _E{i}.get({v}) or _canon(_E{i}, {v})")
        elif kind is list:  # form fields on another kind of activity: only [] passes
            body.append(f"        if {v}: raise Declined")
        elif key in ("time", "file"):
            body.append(f"        d[{attr!r}] = _{key}({v})")
        else:
            body.append(f"        d[{attr!r}] = {v}")
    body += ["    view = _Activity()", "    view.__dict__ = d", "    return view"]
    exec(compile("\n".join(body) + "\n", "<activity reader>", "exec"), env)  # no data in it
    reader: Callable[..., _Activity] = env["read"]
    return reader


def _names(data: dict[str, Any], extra_users: dict[int, str] | None) -> NameLookup:
    """``NameLookup.of`` read from the session's JSON."""
    users: dict[int, str] = dict(extra_users or {})
    bots: dict[int, str] = {}
    for op in _typed(data.get("operators"), list) or ():
        if op.__class__ is not dict or not _OPERATOR_SNAKE.isdisjoint(op):
            raise Declined
        uid = _typed(op.get("userId"), int)
        first, last = _typed(op.get("firstName"), str), _typed(op.get("lastName"), str)
        full = " ".join(p for p in (first, last) if p)
        full = full or _typed(op.get("userName"), str) or (f"#{uid}" if uid else "")
        if uid is not None and full:
            users[uid] = one_line(full, 80)
    for b in _typed(data.get("chatbots"), list) or ():
        if b.__class__ is not dict or "chatbot_id" in b:
            raise Declined
        cid, name = _typed(b.get("chatbotId"), int), _typed(b.get("name"), str)
        if cid and name:
            bots[cid] = one_line(name, 80)
    return NameLookup(users, bots)


def decode(data: Any, user_names: dict[int, str] | None = None) -> list[TranscriptItem] | None:
    """The transcript of a session's JSON, or None when the decoder declines it."""
    try:
        if data.__class__ is not dict or data.get("id").__class__ is not int:
            return None
        acts = _typed(data.get("activities"), list)
        if not acts:
            return []
        names = _names(data, user_names)
        return transcript_items([_activity(a) for a in acts], names)
    except Exception:  # Declined, or anything unexpected: the exact reading decides
        return None


def session_items(
    data: Any, user_names: dict[int, str] | None = None
) -> list[TranscriptItem] | None:
    """The transcript of a session's JSON: decoded, or read by pydantic when the decoder
    declines; None when ``data`` is not a session."""
    items = decode(data, user_names)
    if items is not None:
        return items
    from mluvii_tui.api.models import parse_session

    model = parse_session(data)
    return None if model is None else build_transcript(model, user_names=user_names)


def source_items(source: Any, session_id: int, load: Loader) -> list[TranscriptItem] | None:
    """The transcript of an export row's source: the store's compressed ``raw`` JSON, a
    ``SessionModel`` or None. A blob that does not decode or validate is read by ``load``, as
    ``SessionStore.get_session`` reads it; None when the session is not available."""
    if isinstance(source, bytes):
        data = loads_raw(source)
        if data is not BAD:
            items = decode(data)
            if items is not None:
                return items
            from mluvii_tui.api.models import parse_session

            try:
                source = parse_session(data)
            except Exception:
                source = load(session_id)
        else:
            source = load(session_id)
    return None if source is None else build_transcript(source)
