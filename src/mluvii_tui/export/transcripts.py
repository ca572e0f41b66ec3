"""A session's transcript for the exports, as HTML (``<ol>``) or plain text, from a reader source.

The source is the store's compressed ``raw`` JSON (fast path: fastscript.py, rendered here with
the same markup as ``html_export.render_item`` and the same text as ``transcript_text``), a
``SessionModel`` or None. Sessions the fast path declines go through pydantic and
``build_transcript`` exactly as ``SessionStore.get_session`` would read them.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from datetime import date
from html import escape
from typing import Any

from orjson import loads as _orjson_loads

from mluvii_tui.domain.transcript import (
    FILE,
    FORM,
    SYSTEM,
    FileInfo,
    build_transcript,
    file_line,
    transcript_text,
)

from ..api.models import SessionModel, parse_session
from . import html_export as H
from .cells import Memo
from .fasthtml import fast_html, file_rest
from .fastscript import Item, fast_items

NOT_AVAILABLE = '<p class="empty">Transcript not available in the local store.</p>'
NO_ACTIVITIES = '<p class="empty">No activities.</p>'
_SENDER_CLASS = H._SENDER_CLASS

Loader = Callable[[int], Any]
_BAD = object()  # a raw blob that does not decode


def _slow(data: Any, session_id: int, load: Loader) -> SessionModel | None:
    """``SessionStore.get_session`` for a decoded ``raw``: a failure reads the row instead."""
    try:
        return parse_session(data)
    except Exception:
        return load(session_id)


def _decode(source: Any, session_id: int, load: Loader) -> tuple[list[Item] | None, Any]:
    """(fast items, None) or (None, SessionModel | None)."""
    if isinstance(source, bytes):
        data = _loads(source)
        if data is _BAD:
            return None, load(session_id)
        items = fast_items(data)
        if items is not None:
            return items, None
        return None, _slow(data, session_id, load)
    return None, source


# -- HTML -------------------------------------------------------------------------------------


_LI = {
    (kind, sender): f'<li class="{kind} {_SENDER_CLASS.get(sender, "system")}">'
    for kind in ("message", "file")
    for sender in ("guest", "operator", "chatbot", "system")
}


_ESCAPED = Memo(lambda name: escape(name) if name else "System", 4096)  # sender names


def _html_item(item: Item) -> str:
    """``html_export.render_item`` of the same item."""
    kind, sender, name, _, text, delivery, f, iso = item
    if kind == FORM:  # the exact path's item (fastforms.py)
        return H.render_item(f)
    stamp = f'<time datetime="{iso}">{iso[:10]} {iso[11:19]}</time>' if iso else ""
    if kind == SYSTEM:
        return f'<li class="system">{stamp}{escape(text)}</li>'
    li = _LI[kind, sender]
    who = _ESCAPED[name]
    if kind == FILE:
        return f'{li}{stamp}<span class="who">{who}</span>{file_rest(f, text)}'
    tail = f" [{escape(delivery)}]" if delivery else ""
    return f'{li}{stamp}<span class="who">{who}</span>{escape(text)}{tail}</li>'


def _loads(source: bytes) -> Any:
    """``json.loads(zlib.decompress(source))``, or _BAD when that raises. orjson reads what the
    store writes (plain UTF-8 JSON) ~3x faster and gives the same values; whatever it refuses
    (a BOM, other encodings, NaN, lone surrogates, integers past 64 bits) json.loads decides."""
    try:  # the reader hands over plain JSON; a zlib blob (an older store's) starts with "x"
        raw = zlib.decompress(source) if source[:1] == b"x" else source
    except Exception:
        return _BAD
    try:
        return _orjson_loads(raw)
    except Exception:
        pass
    try:
        return json.loads(raw)
    except Exception:
        return _BAD


def html_transcript(source: Any, session_id: int, load: Loader) -> str:
    """The transcript part of a session's HTML section."""
    if isinstance(source, bytes):
        data = _loads(source)
        if data is not _BAD:
            markup = fast_html(data)
            if markup is not None:
                return markup
            items = fast_items(data)
            model = None if items is not None else _slow(data, session_id, load)
        else:
            items, model = None, load(session_id)
    else:
        items, model = None, source
    if items is None:
        if model is None:
            return NOT_AVAILABLE
        slow = build_transcript(model)
        if not slow:
            return NO_ACTIVITIES
        return '<ol class="transcript">' + "".join(map(H.render_item, slow)) + "</ol>"
    if not items:
        return NO_ACTIVITIES
    return '<ol class="transcript">' + "".join(map(_html_item, items)) + "</ol>"


# -- plain text -------------------------------------------------------------------------------


def _body(item: Item) -> str:
    text, delivery, f = item[4], item[5], item[6]
    if item[0] == FORM:  # the exact path's item (fastforms.py)
        return f.body_text()
    parts = [text] if text else []
    if f is not None:
        parts.append(file_line(FileInfo(*f)))
    if delivery:
        parts.append(f"[{delivery}]")
    return "\n".join(parts)


def _text(items: list[Item]) -> str:
    lines: list[str] = []
    last: date | None = None
    for item in items:
        t = item[3]
        if t is not None:
            if t.tzinfo:
                t = t.astimezone(None)
            day = t.date()
            if day != last:
                lines.append(f"— {day.isoformat()} —")
                last = day
            stamp = f"{t.hour:02d}:{t.minute:02d}:{t.second:02d}"
        else:
            stamp = "--:--:--"
        body = _body(item).replace("\n", "\n    ")
        lines.append(f"{stamp} {item[2] or 'System'}: {body}")
    return "\n".join(lines)


def text_transcript(source: Any, session_id: int, load: Loader) -> str:
    """The transcript as plain text (``transcript_text``); '' when the session is unknown."""
    items, model = _decode(source, session_id, load)
    if items is None:
        return transcript_text(build_transcript(model)) if model is not None else ""
    return _text(items)
