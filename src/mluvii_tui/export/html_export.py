"""One self-contained HTML file: summary table, then every session with its transcript.

No network requests: CSS and JS are inline, allowed by a Content-Security-Policy that names their
SHA-256 hashes and nothing else (``default-src 'none'``), so even a customer's ``<script>`` that
escaped our escaping would not run. Every piece of data passes through ``html.escape``.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from html import escape
from importlib import resources
from pathlib import Path
from typing import IO

from mluvii_tui.domain.transcript import (
    CHATBOT,
    FILE,
    FORM,
    GUEST,
    OPERATOR,
    SYSTEM,
    TranscriptItem,
    build_transcript,
)
from mluvii_tui.text import clean, one_line

from ..api.models import SessionModel
from .files import AtomicFile, ExportError, check_target

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


def _time(item: TranscriptItem) -> str:
    t = item.time
    if t is None:
        return ""
    iso = t.isoformat(timespec="seconds")
    return f'<time datetime="{iso}">{iso[:10]} {iso[11:19]}</time>'


def _safe_url(url: str | None) -> str:
    if not url:
        return ""
    url = url.strip()
    return url if url.lower().startswith(("https://", "http://")) else ""


def render_item(item: TranscriptItem) -> str:
    kind = item.kind
    if kind == SYSTEM:
        return f'<li class="system">{_time(item)}{escape(item.text)}</li>'
    who = escape(item.sender_name or "System")
    cls = _SENDER_CLASS.get(item.sender, "system")
    head_ = f'{_time(item)}<span class="who">{who}</span>'
    if kind == FILE and item.file is not None:
        f = item.file
        name = escape(f.name)
        url = _safe_url(f.url)
        if url and not f.deleted:
            name = f'<a href="{escape(url)}" rel="noopener noreferrer">{name}</a>'
        state = " (deleted)" if f.deleted else " (uploading)" if f.uploading else ""
        text = f"\n{escape(item.text)}" if item.text else ""
        return (
            f'<li class="file {cls}">{head_}<span class="fname">{name}</span>'
            f"{escape(state)}{text}</li>"
        )
    body = item.body_text() if kind == FORM else item.text
    cls_kind = "form" if kind == FORM else "message"
    delivery = f" [{escape(item.delivery)}]" if item.delivery and kind != FORM else ""
    return f'<li class="{cls_kind} {cls}">{head_}{escape(body)}{delivery}</li>'


def session_section(
    session_id: int, info: Sequence[tuple[str, str]], items: Sequence[TranscriptItem] | None
) -> str:
    dl = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in info if v)
    if items is None:
        body = '<p class="empty">Transcript not available in the local store.</p>'
    elif not items:
        body = '<p class="empty">No activities.</p>'
    else:
        body = '<ol class="transcript">' + "".join(map(render_item, items)) + "</ol>"
    return (
        f'<section class="session" id="s-{session_id}" data-sid="{session_id}">'
        f'<h2>Session {session_id}</h2><dl class="info">{dl}</dl>{body}</section>\n'
    )


def _iso(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value else ""


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
        ("Waited (s)", str(round(td.total_seconds())) if td is not None else ""),
        ("Length (s)", str(round(ln.total_seconds())) if ln is not None else ""),
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
        f.write(head(title, f"Exported {datetime.now().astimezone():%Y-%m-%d %H:%M}", [], 1))
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
    from .files import describe_os_error

    target = check_target(path, overwrite)
    out = AtomicFile(target, overwrite=overwrite)
    try:
        write(out.file)
    except OSError as exc:
        out.discard()
        raise ExportError(describe_os_error(exc, target)) from exc
    except BaseException:
        out.discard()
        raise
    out.commit()
    return target
