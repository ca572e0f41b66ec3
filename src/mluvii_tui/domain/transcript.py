"""A session's activities turned into display items (headless; reused by the HTML export).
System events are worded in system_events.py; the plain-text rendering is transcript_text.py.

Every item carries already-cleaned text (``text.clean``): no control sequences, bidi overrides or
zero-width characters. Nothing here is markup; renderers must still treat it as plain data.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from mluvii_tui.api.enums import MESSAGE_ACTIVITY_TYPES, enum_text
from mluvii_tui.text import clean, one_line

from .system_events import system_text

if TYPE_CHECKING:
    from mluvii_tui.api.models import FormField, SessionFile, SessionModel

#: Kinds of item.
MESSAGE, FILE, SYSTEM, FORM = "message", "file", "system", "form"
#: Senders.
GUEST, OPERATOR, CHATBOT, SYSTEM_SENDER = "guest", "operator", "chatbot", "system"

#: Activity types shown as messages besides MESSAGE_ACTIVITY_TYPES.
_MESSAGE_TYPES = MESSAGE_ACTIVITY_TYPES | {
    "AutoActivity",
    "AutoActivityAsOperator",
    "HeroCardQuickReply",
}
_FORM_TYPES = {"HeroCard", "CallScript", "HeroCardSubmission", "CallScriptSubmission"}


class FileInfo(NamedTuple):
    name: str
    url: str | None = None
    deleted: bool = False
    uploading: bool = False


class FieldValue(NamedTuple):
    label: str
    value: str = ""


class TranscriptItem(NamedTuple):
    """One line of the transcript, ready to render (a tuple: built for every activity of every
    exported session, so it must be cheap)."""

    kind: str  # MESSAGE | FILE | SYSTEM | FORM
    sender: str  # GUEST | OPERATOR | CHATBOT | SYSTEM_SENDER
    sender_name: str
    time: datetime | None
    text: str = ""
    activity_type: str = ""
    activity_id: int | None = None
    file: FileInfo | None = None
    title: str = ""
    fields: tuple[FieldValue, ...] = ()
    delivery: str = ""  # WhatsApp delivery state of a message to the client

    @property
    def plain(self) -> str:
        """The whole item as plain text (for copying): header line plus body."""
        head = f"{_stamp(self.time)} {self.sender_name}".strip()
        return f"{head}: {self.body_text()}" if head else self.body_text()

    def body_text(self) -> str:
        parts: list[str] = []
        if self.title:
            parts.append(self.title)
        if self.text and self.text != self.title:
            parts.append(self.text)
        if self.file is not None:
            parts.append(file_line(self.file))
        parts.extend(f"{f.label}: {f.value}" for f in self.fields)
        if self.delivery:
            parts.append(f"[{self.delivery}]")
        return "\n".join(parts)


def _stamp(time: datetime | None) -> str:
    """In the local time zone, as the screen shows it (the API sends UTC offsets)."""
    if time is None:
        return ""
    return (time.astimezone() if time.tzinfo else time).strftime("%Y-%m-%d %H:%M:%S")


def file_line(info: FileInfo) -> str:
    state = " (deleted)" if info.deleted else " (uploading)" if info.uploading else ""
    return f"{info.name}{state}"


class NameLookup:
    """Operator and chatbot names by id, with the fallbacks every transcript shows."""

    __slots__ = ("bots", "users")

    def __init__(self, users: dict[int, str], bots: dict[int, str]) -> None:
        self.users = users
        self.bots = bots

    @classmethod
    def of(cls, session: SessionModel, extra_users: dict[int, str] | None = None) -> NameLookup:
        """Who is who in ``session`` (``extra_users``: names known from elsewhere)."""
        users = dict(extra_users or {})
        for op in session.operators:
            if op.user_id is not None and op.full_name:
                users[op.user_id] = one_line(op.full_name, 80)
        bots = {
            b.chatbot_id: one_line(b.name, 80) for b in session.chatbots if b.chatbot_id and b.name
        }
        return cls(users, bots)

    def user(self, user_id: int | None) -> str:
        if user_id is None:
            return "Operator"
        return self.users.get(user_id, f"Operator #{user_id}")

    def bot(self, chatbot_id: int | None) -> str:
        if chatbot_id is None:
            return "Chatbot"
        return self.bots.get(chatbot_id, f"Chatbot #{chatbot_id}")

    def sender(self, a: Any) -> tuple[str, str]:
        """(sender, name) of activity ``a`` by its client, user and chatbot."""
        client = enum_text(a.client)
        if client == "Guest":
            return GUEST, "Client"
        if client == "Chatbot" or (a.chatbot_id is not None and a.user_id is None):
            return CHATBOT, self.bot(a.chatbot_id)
        if client == "User" or a.user_id is not None:
            return OPERATOR, self.user(a.user_id)
        return SYSTEM_SENDER, ""

    def who(self, a: Any) -> str:
        """Who did a system activity: its sender, or the operator by ``user_id``."""
        sender, name = self.sender(a)
        return self.user(a.user_id) if sender == SYSTEM_SENDER else name


def build_transcript(
    session: SessionModel, *, user_names: dict[int, str] | None = None
) -> list[TranscriptItem]:
    """Every activity of ``session`` as a display item, in time order (stable for equal times).

    The exact reading, of a pydantic model; ``transcript_decode.session_items`` reads the stored
    JSON itself and comes here only for what it declines."""
    return transcript_items(session.activities, NameLookup.of(session, user_names))


def transcript_items(activities: Sequence[Any], names: NameLookup) -> list[TranscriptItem]:
    """The items of ``activities``: ``Activity`` models, or anything with the same attributes
    holding what pydantic would hold (``transcript_decode``'s reading of the JSON)."""
    by_id = {a.activity_id: a for a in activities if a.activity_id is not None}
    if not _in_order(activities):
        indexed = list(enumerate(activities))
        indexed.sort(key=lambda p: (p[1].time is None, _ts(p[1].time), p[0]))
        activities = [a for _, a in indexed]
    items: list[TranscriptItem] = []
    for activity in activities:
        try:
            item = _item(activity, names, by_id)
        except Exception:  # one strange activity must not hide the transcript
            item = fallback_item(activity)
        items.append(item)
    return items


def _in_order(activities: Sequence[Any]) -> bool:
    """Every time known, with an offset and not before the previous one: the sort of
    ``transcript_items`` would keep the order as it is."""
    last = None
    for a in activities:
        t = a.time
        if t is None or t.tzinfo is None or (last is not None and t < last):
            return False
        last = t
    return True


def _ts(time: datetime | None) -> float:
    try:
        return time.timestamp() if time else 0.0
    except (OverflowError, OSError, ValueError):
        return 0.0


def fallback_item(a: Any) -> TranscriptItem:
    """What an activity that fails to render shows: its type, as a system line."""
    return TranscriptItem(SYSTEM, SYSTEM_SENDER, "", a.time, one_line(a.type))


def _item(a: Any, names: NameLookup, by_id: dict[int, Any]) -> TranscriptItem:
    kind = enum_text(a.type)
    sender, sender_name = names.sender(a)
    time, aid, delivery = a.time, a.activity_id, enum_text(a.status)
    if kind in _MESSAGE_TYPES or (kind == "ChatbotHeroCardSubmission"):
        text = _clean(a.text)
        if not text and a.chatbot_message_content is not None:
            text = _content_text(a.chatbot_message_content)
        if kind == "ChatbotHeroCardSubmission" and not text:
            key = clean(a.chatbot_hero_card_submission_key)
            value = clean(a.chatbot_hero_card_submission_value)
            text = f"{key}: {value}" if key else value
        if sender == SYSTEM_SENDER:
            sender, sender_name = (
                (CHATBOT, names.bot(a.chatbot_id))
                if "Chatbot" in kind
                else (OPERATOR, names.user(a.user_id))
            )
        return TranscriptItem(
            MESSAGE, sender, sender_name, time, text, kind, aid, None, "", (), delivery
        )
    if kind == "SharedFile" or (a.file is not None and kind not in _FORM_TYPES):
        info = _file(a.file)
        text = _clean(a.text)
        return TranscriptItem(
            FILE, sender, sender_name, time, text, kind, aid, info, "", (), delivery
        )
    if kind in _FORM_TYPES:
        return _form(a, kind, sender, sender_name, names, by_id, delivery)
    text = system_text(a, kind, names)
    return TranscriptItem(SYSTEM, SYSTEM_SENDER, "", time, text, kind, aid, None, "", (), delivery)


def _clean(text: str | None) -> str:
    """``text.clean``, skipped for printable text (it changes only unprintable characters)."""
    if text.__class__ is str and text.isprintable():
        return text
    return clean(text)


def _file(f: SessionFile | None) -> FileInfo:
    if f is None:
        return FileInfo(name="(file)")
    return FileInfo(
        name=one_line(f.name, 255) or "(file)",
        url=f.download_url or None,
        deleted=bool(f.is_deleted),
        uploading=bool(f.is_uploading),
    )


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return clean(content)
    if isinstance(content, dict):
        for key in ("text", "message", "title"):
            if isinstance(content.get(key), str):
                return clean(content[key])
    try:
        return clean(json.dumps(content, ensure_ascii=False)[:2000])
    except (TypeError, ValueError):
        return ""


def _field_label(f: FormField) -> str:
    return one_line(f.label or f.key or "?", 200)


def _form(
    a: Any,
    kind: str,
    sender: str,
    sender_name: str,
    names: NameLookup,
    by_id: dict[int, Any],
    delivery: str,
) -> TranscriptItem:
    label = {"HeroCard": "Form", "CallScript": "Call script"}.get(kind)
    if label is not None:  # the form as sent: its fields and their choices
        form = a.hero_card if kind == "HeroCard" else a.call_script
        fields = tuple(
            FieldValue(_field_label(f), _choices(f) + (" (required)" if f.required else ""))
            for f in form
        )
        title = f"{label}: {one_line(a.text, 200)}" if a.text else label
        return TranscriptItem(
            FORM,
            sender,
            sender_name,
            a.time,
            "",
            kind,
            a.activity_id,
            None,
            title,
            fields,
            delivery,
        )
    # A submission: values labelled by the original form's fields when we have it.
    original = by_id.get(a.submission_of_activity_id) if a.submission_of_activity_id else None
    labels: dict[str, str] = {}
    choices: dict[str, dict[str, str]] = {}
    if original is not None:
        for f in [*original.hero_card, *original.call_script]:
            if f.key:
                labels[f.key] = _field_label(f)
                choices[f.key] = {
                    o.value: one_line(o.label, 200) for o in f.choice_options if o.value and o.label
                }
    params = a.submission_params or {}
    fields = tuple(
        FieldValue(
            labels.get(str(k), one_line(k, 200)),
            (choices.get(str(k), {}).get(v) if isinstance(v, str) else None) or _value(v),
        )
        for k, v in params.items()
    )
    result = enum_text(a.submission_result)
    what = "Call script" if kind == "CallScriptSubmission" else "Form"
    title = f"{what} {'cancelled' if result == 'Cancelled' else 'submitted'}"
    if original is not None and original.text:
        title += f": {one_line(original.text, 200)}"
    if a.submission_by_operator_id is not None:
        sender, sender_name = OPERATOR, names.user(a.submission_by_operator_id)
    elif sender == SYSTEM_SENDER:
        sender, sender_name = GUEST, "Client"
    text = clean(a.text)
    return TranscriptItem(
        FORM, sender, sender_name, a.time, text, kind, a.activity_id, None, title, fields, delivery
    )


def _choices(f: FormField) -> str:
    opts = [one_line(o.label or o.value, 80) for o in f.choice_options if (o.label or o.value)]
    kind = one_line(f.input_type, 40)
    if opts:
        return f"{kind + ': ' if kind else ''}{' / '.join(opts)}"
    return kind


def _value(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, list | dict):
        try:
            return one_line(json.dumps(v, ensure_ascii=False), 2000)
        except (TypeError, ValueError):
            return ""
    return clean(v)
