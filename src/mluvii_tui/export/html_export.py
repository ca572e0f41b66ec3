"""One self-contained HTML file: summary table, then every session with its transcript.

No network requests: CSS and JS are inline, allowed by a Content-Security-Policy that names their
SHA-256 hashes and nothing else (``default-src 'none'``), so even a customer's ``<script>`` that
escaped our escaping would not run. Every piece of data passes through ``html.escape``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from html import escape
from importlib import resources
from pathlib import Path
from typing import IO, Any

from mluvii_tui.api.models import SessionModel
from mluvii_tui.config.zone import zone_name
from mluvii_tui.domain.transcript import (
    CHATBOT,
    FILE,
    FORM,
    GUEST,
    OPERATOR,
    SYSTEM,
    SYSTEM_SENDER,
    TranscriptItem,
    build_transcript,
)
from mluvii_tui.domain.transcript_decode import Loader, source_items
from mluvii_tui.query.columns import format_hms, format_local, iso_time
from mluvii_tui.text import clean, one_line

from .cells import Memo
from .files import AtomicFile, check_target, discarded_on_error

_SENDER_CLASS = {GUEST: "from-guest", OPERATOR: "from-operator", CHATBOT: "from-bot"}


@lru_cache(maxsize=1)
def assets() -> tuple[str, str]:
    """(css, js) read from the package data."""
    base = resources.files("mluvii_tui.export") / "assets"
    return (base / "export.css").read_text("utf-8"), (base / "export.js").read_text("utf-8")


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def content_security_policy(css: str, js: str) -> str:
    return (
        f"default-src 'none'; style-src '{_sha256(css)}'; script-src '{_sha256(js)}'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


def head(title: str, meta: str, headers: Sequence[str], total: int) -> str:
    """Everything before the first summary row."""
    css, js = assets()
    ths = "".join(f"<th>{escape(h)}</th>" for h in headers)
    return (
        '<!DOCTYPE html>\n<html lang="cs"><head><meta charset="utf-8">\n'
        '<meta http-equiv="Content-Security-Policy" '
        f'content="{content_security_policy(css, js)}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{css}</style></head>\n<body>\n"
        f'<header><h1>{escape(title)}</h1><p class="meta">{escape(meta)}</p>\n'
        '<div class="search"><input id="q" type="search" placeholder="Search all sessions '
        '(ignores diacritics)" autocomplete="off" aria-label="Search"><span id="count">'
        "</span></div></header>\n<main>\n"
        f'<table class="summary"><thead><tr><th>Session</th>{ths}</tr></thead><tbody>\n'
    )


def summary_row(session_id: int, cells: Iterable[str]) -> str:
    tds = "".join(f"<td>{escape(c)}</td>" for c in cells)
    sid = session_id
    return f'<tr data-sid="{sid}"><td><a href="#s-{sid}">{sid}</a></td>{tds}</tr>\n'


def between(total: int) -> str:
    """After the summary rows, before the sessions."""
    return "</tbody></table>\n"


def tail(footer: str) -> str:
    _, js = assets()
    return f"</main>\n<footer>{escape(footer)}</footer>\n<script>{js}</script>\n</body></html>\n"


def zone_note(now: datetime) -> str:
    """The header's statement of the file's one time zone (the exporting user's)."""
    offset = now.strftime("%z")
    return f"times in {zone_name()} (UTC{offset[:3]}:{offset[3:]})"


def _time(t: datetime | None) -> str:
    """``<time>`` in the local zone (the API's times carry their own offsets), shown without
    the offset: the file's header states the zone."""
    if t is None:
        return ""
    iso = iso_time(t.timestamp()) if t.tzinfo else t.isoformat(timespec="seconds")
    return f'<time datetime="{iso}">{iso[:10]} {iso[11:19]}</time>'


def file_markup(name: str, deleted: bool, uploading: bool) -> str:
    """A file as its name and where a reader finds it: the API link would be dead for anyone
    without a mluvii login, so the export names the file and says it is in mluvii."""
    if deleted:
        where = " (deleted)"
    elif uploading:
        where = " (uploading)"
    else:
        where = " — available in mluvii"
    return f'<span class="fname">{escape(name)}</span>{escape(where)}'


_SPECIAL = re.compile("[&<>\"']").search


def _escape(text: str) -> str:
    """``html.escape``, skipped for text without a character it would change."""
    return escape(text) if _SPECIAL(text) else text


#: (kind, sender) -> the item's opening tag; sender name -> its escaped "who" span.
_LI = {
    (kind, sender): f'<li class="{kind} {_SENDER_CLASS.get(sender, "system")}">'
    for kind in ("message", "file", "form")
    for sender in (GUEST, OPERATOR, CHATBOT, SYSTEM_SENDER)
}
_WHO = Memo(lambda name: f'<span class="who">{escape(name or "System")}</span>', 4096)


def render_item(item: TranscriptItem) -> str:
    """One transcript item as an ``<li>`` (every piece of data escaped)."""
    kind, sender, name, t, text, _, _, f, _, _, delivery = item
    if kind == SYSTEM:
        return f'<li class="system">{_time(t)}{_escape(text)}</li>'
    head_ = _time(t) + _WHO[name]
    if kind == FILE and f is not None:
        body = f"\n{escape(text)}" if text else ""
        markup = file_markup(f.name, f.deleted, f.uploading)
        return f"{_LI['file', sender]}{head_}{markup}{body}</li>"
    if kind == FORM:
        return f"{_LI['form', sender]}{head_}{escape(item.body_text())}</li>"
    tail_ = f" [{escape(delivery)}]" if delivery else ""
    return f"{_LI['message', sender]}{head_}{_escape(text)}{tail_}</li>"


NOT_AVAILABLE = '<p class="empty">Transcript not available in the local store.</p>'
NO_ACTIVITIES = '<p class="empty">No activities.</p>'


def transcript_html(items: Sequence[TranscriptItem] | None) -> str:
    """The transcript part of a session's section (None: the session is not in the store)."""
    if items is None:
        return NOT_AVAILABLE
    if not items:
        return NO_ACTIVITIES
    return '<ol class="transcript">' + "".join(map(render_item, items)) + "</ol>"


def html_transcript(source: Any, session_id: int, load: Loader) -> str:
    """``transcript_html`` of an export row's source (``transcript_decode.source_items``)."""
    return transcript_html(source_items(source, session_id, load))


def session_section(
    session_id: int, info: Sequence[tuple[str, str]], items: Sequence[TranscriptItem] | None
) -> str:
    dl = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in info if v)
    return (
        f'<section class="session" id="s-{session_id}" data-sid="{session_id}">'
        f'<h2>Session {session_id}</h2><dl class="info">{dl}</dl>{transcript_html(items)}'
        "</section>\n"
    )


def _iso(value: datetime | None) -> str:
    """Local time without the offset (the header states the zone)."""
    if value is None:
        return ""
    return format_local(value.timestamp()) if value.tzinfo else value.isoformat(sep=" ")[:19]


def session_info(session: SessionModel) -> list[tuple[str, str]]:
    """Key facts of one session (single-session export, where no column choice exists)."""
    g = session.guest
    td = session.waited
    ln = session.length
    return [
        ("Channel", str(session.channel or "")),
        ("Source", str(session.source or "")),
        ("Status", str(session.status or "")),
        ("Created", _iso(session.created)),
        ("Accepted", _iso(session.started)),
        ("Ended", _iso(session.ended)),
        ("Waited", format_hms(td.total_seconds()) if td is not None else ""),
        ("Length", format_hms(ln.total_seconds()) if ln is not None else ""),
        ("Operators", ", ".join(one_line(o.full_name) for o in session.operators if o.full_name)),
        ("End reason", session.termination_reason or ""),
        ("Tags", ", ".join(one_line(t.name) for t in session.tags if t.name)),
        ("URL", one_line(session.url or "")),
        *((f"param:{one_line(k, 80)}", clean(v or "")) for k, v in g.call_params.items()),
    ]


def export_session_html(
    session: SessionModel, path: str | Path, *, overwrite: bool = False
) -> Path:
    """Write one session (info + full transcript) as a self-contained HTML file."""

    def write(f: IO[str]) -> None:
        title = f"mluvii session {session.id}"
        now = datetime.now().astimezone()
        f.write(head(title, f"Exported {now:%Y-%m-%d %H:%M} · {zone_note(now)}", [], 1))
        f.write(summary_row(session.id, []))
        f.write(between(1))
        f.write(session_section(session.id, session_info(session), build_transcript(session)))
        f.write(tail("1 session"))

    return _write_atomically(Path(path), overwrite, write)


def export_session_json(
    session: SessionModel, path: str | Path, *, overwrite: bool = False
) -> Path:
    """Write one session as JSON, in the API's own shape (camelCase, ISO times)."""

    def write(f: IO[str]) -> None:
        json.dump(session.to_api(), f, ensure_ascii=False, indent=2)
        f.write("\n")

    return _write_atomically(Path(path), overwrite, write)


def _write_atomically(path: Path, overwrite: bool, write: Callable[[IO[str]], None]) -> Path:
    """Write through a temporary file that becomes ``path`` only when all of it is written."""
    target = check_target(path, overwrite)
    out = AtomicFile(target, overwrite=overwrite)
    with discarded_on_error(out.discard, target):
        write(out.file)
    out.commit()
    return target
