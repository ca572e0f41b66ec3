"""A session's transcript markup straight from its stored JSON, in one pass (HTML export).

``fast_html(data)`` returns exactly ``'<ol class="transcript">' + "".join(map(_html_item,
fast_items(data))) + "</ol>"`` (or the "No activities." paragraph), without building the item
tuples, or None when the session is anything but the plain, common shape: activities out of time
order, a time without an offset, a value it does not know. The caller then takes the item path
(fastscript.py), which itself falls back to the exact one (pydantic + build_transcript), so the
output never differs; tests/test_export_fast.py compares all three.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any

from mluvii_tui.domain.transcript import (
    _FORM_TYPES,
    _MESSAGE_TYPES,
    CHATBOT,
    GUEST,
    OPERATOR,
    SYSTEM_SENDER,
)

from . import html_export as H
from .cells import Memo
from .fastscript import (
    _ACTIVITY_KEYS,
    _CLIENTS,
    _DELIVERY,
    _TYPES,
    Unsupported,
    _clean,
    _file,
    _Names,
    message_sender,
    message_text,
    system_line,
)
from .isotail import offset_of

NO_ACTIVITIES = '<p class="empty">No activities.</p>'

#: status value -> " [Delivered]" (escaped), for the values fastscript knows.
_DELIVERY_TAIL = {k: f" [{escape(v)}]" for k, v in _DELIVERY.items()}
_MESSAGE_KINDS = frozenset(_MESSAGE_TYPES) | {"ChatbotHeroCardSubmission"}


def _li(kind: str, sender: str) -> str:
    return f'<li class="{kind} {H._SENDER_CLASS.get(sender, "system")}">'


_MESSAGE_LI = {s: _li("message", s) for s in (GUEST, OPERATOR, CHATBOT, SYSTEM_SENDER)}
_FILE_LI = {s: _li("file", s) for s in (GUEST, OPERATOR, CHATBOT, SYSTEM_SENDER)}


def _who(name: str) -> str:
    return f'<span class="who">{escape(name) if name else "System"}</span>'


_WHO = Memo(_who, 4096)  # sender name -> markup of its "who" span (few distinct ones)


def file_rest(info: tuple[Any, ...], text: str) -> str:
    """What follows the "who" span of a file item, from ``(name, url, deleted, uploading)``
    (fastscript._file): ``html_export.render_item``'s file markup."""
    fname, url, deleted, uploading = info
    fname = escape(fname)
    url = H._safe_url(url)
    if url and not deleted:
        fname = f'<a href="{escape(url)}" rel="noopener noreferrer">{fname}</a>'
    state = " (deleted)" if deleted else " (uploading)" if uploading else ""
    body = f"\n{escape(text)}" if text else ""
    return f'<span class="fname">{fname}</span>{escape(state)}{body}</li>'


def fast_html(data: Any) -> str | None:
    """The transcript markup of a session's JSON, or None (use the item path)."""
    try:
        return _html(data)
    except Exception:  # anything unexpected: the item path decides
        return None


def _html(data: Any) -> str | None:
    if data.__class__ is not dict or data.get("id").__class__ is not int:
        return None
    acts = data.get("activities")
    if acts is None:
        return NO_ACTIVITIES
    if acts.__class__ is not list:
        return None
    if not acts:
        return NO_ACTIVITIES
    names = _Names(data)
    users = names.users
    out = ['<ol class="transcript">']
    append = out.append
    keys_ok = _ACTIVITY_KEYS.issuperset
    fromiso = datetime.fromisoformat
    who_of = _WHO
    types = _TYPES
    clients = _CLIENTS
    message_kinds = _MESSAGE_KINDS
    last = ""
    first_tail: str | None = None
    for a in acts:
        if a.__class__ is not dict or not keys_ok(a):
            return None
        v = a.get("time")
        if v.__class__ is not str or v[4:17:3] != "--T::" or not v.isascii():
            return None
        tail = v[19:]
        offset = offset_of(tail)
        if len(offset) < 2:
            return None  # no offset (local time) or an odd tail: the item path decides
        fromiso(v)  # ValueError (no such date, digits elsewhere): the item path decides
        if first_tail is None:
            first_tail = offset
        elif offset != first_tail:
            return None  # mixed offsets: the item path orders by timestamp
        if v < last:
            return None
        last = v
        iso = v if tail == offset else v[:19] + offset  # no fraction, offset as isoformat's
        stamp = f'<time datetime="{iso}">{v[:10]} {v[11:19]}</time>'
        kind = types[a["type"]]
        if kind in _FORM_TYPES:
            return None
        v = a.get("client")
        client = "" if v is None else clients[v]
        uid = a.get("userId")
        if uid is not None and uid.__class__ is not int:
            return None
        cid = a.get("chatbotId")
        if cid is not None and cid.__class__ is not int:
            return None
        v = a.get("status")
        delivery = "" if v is None else _DELIVERY_TAIL[v]
        if client == "Guest":
            sender, sender_name = GUEST, "Client"
        elif client == "Chatbot" or (cid is not None and uid is None):
            sender, sender_name = CHATBOT, names.bot(cid)
        elif client == "User" or uid is not None:
            sender = OPERATOR
            sender_name = users.get(uid) if uid is not None else None
            if sender_name is None:
                sender_name = names.user(uid)
        else:
            sender, sender_name = SYSTEM_SENDER, ""
        if kind in message_kinds:
            text = a.get("text")
            if text is None:
                text = ""
            elif text.__class__ is not str:
                return None
            elif not text.isprintable():
                text = _clean(text)
            if not text:
                text = message_text(a, kind, text)
            if sender == SYSTEM_SENDER:
                sender, sender_name = message_sender(kind, names, uid, cid)
            who = who_of[sender_name]
            if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
                text = escape(text)
            append(f"{_MESSAGE_LI[sender]}{stamp}{who}{text}{delivery}</li>")
        elif kind == "SharedFile" or (f := a.get("file")) is not None:
            f = a.get("file")  # (not read above when the kind is SharedFile)
            text = _clean(a.get("text"))
            who = who_of[sender_name]
            append(f"{_FILE_LI[sender]}{stamp}{who}{file_rest(_file(f), text)}")
        else:
            try:
                text = system_line(a, kind, sender_name, client, uid, cid, names)
            except Unsupported:
                return None
            if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
                text = escape(text)
            append(f'<li class="system">{stamp}{text}</li>')
    append("</ol>")
    return "".join(out)
