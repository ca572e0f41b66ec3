"""Shared files embedded in an HTML export when the user asks (``--embed-files``, the export
dialog): each file is downloaded through the API client and written into the self-contained
file as a base64 ``data:`` URL, up to a size cap per export; past the cap (or when a download
fails) files stay listed by name, and the export's summary says how many and why.

Only PNG, JPEG, GIF and WebP, recognised by their first bytes (never by the name or the server's
content type), are shown inline as ``<img>``; everything else (HTML, SVG, scripts, PDFs...) is a
download link of type ``application/octet-stream``: never active content. File names are
untrusted: escaped in the markup and reduced to a safe name for the download attribute.
"""

from __future__ import annotations

import asyncio
import base64
import re
import tempfile
import threading
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

from mluvii_tui.api.errors import MluviiError
from mluvii_tui.domain.downloads import safe_filename
from mluvii_tui.domain.transcript import FILE
from mluvii_tui.domain.transcript_decode import Loader, source_items

DEFAULT_CAP_MB = 20
#: download(url, dest, progress(done, total)): the API client's ``download``, made synchronous.
Fetch = Callable[[str, Path, Callable[[int, int | None], None]], Any]

#: ``html_export.file_markup`` of a file that is in mluvii (the others say deleted/uploading).
_AVAILABLE = re.compile(r'<span class="fname">[^<]*</span>( — available in mluvii| \([a-z]+\))')
_IMAGES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def image_type(data: bytes) -> str | None:
    """The image type of ``data`` by its first bytes, for the few types shown inline."""
    for magic, kind in _IMAGES:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def embedded_markup(name: str, data: bytes) -> str:
    """A file's markup with its bytes: an image inline, anything else a download link."""
    encoded = base64.b64encode(data).decode("ascii")
    label = f'<span class="fname">{escape(name)}</span> ({_size(len(data))}, embedded)'
    kind = image_type(data)
    if kind is not None:
        image = f'<img class="embedded" alt="{escape(name)}" src="data:{kind};base64,{encoded}">'
        return f"{label}<br>{image}"
    return (
        f'<a class="fname" download="{escape(safe_filename(name))}" '
        f'href="data:application/octet-stream;base64,{encoded}">{escape(name)}</a>'
        f" ({_size(len(data))}, embedded)"
    )


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{max(1, round(n / 1e3))} kB"


class _TooBig(Exception):
    """Raised from the download's progress: the file would pass the cap."""


class FileEmbedder:
    """Replaces the "available in mluvii" markup of a section's files by their bytes while the
    cap allows; counts what it embedded and what stayed a name."""

    def __init__(self, fetch: Fetch, cap_bytes: int, load: Loader) -> None:
        self.fetch = fetch
        self.cap = cap_bytes
        self.left = cap_bytes
        self.load = load
        self.embedded = 0
        self.embedded_bytes = 0
        self.over_cap = 0
        self.failed: list[str] = []
        self._dir = tempfile.TemporaryDirectory(prefix="mluvii-embed-")

    def section(self, body: str, source: Any, session_id: int) -> str:
        """``body`` (a session's transcript markup) with its files embedded."""
        if 'class="fname"' not in body:
            return body
        items = source_items(source, session_id, self.load) or []
        files = [i.file for i in items if i.kind == FILE and i.file is not None]
        found = iter(files)
        return _AVAILABLE.sub(lambda m: self._one(m, next(found, None)), body)

    def _one(self, match: re.Match[str], file: Any) -> str:
        if file is None or not match.group(1).startswith(" —") or not file.url:
            return match.group(0)
        if self.left <= 0:
            self.over_cap += 1
            return match.group(0)
        data = self._download(file.url)
        if data is None:
            return match.group(0)
        self.left -= len(data)
        self.embedded += 1
        self.embedded_bytes += len(data)
        return embedded_markup(file.name, data)

    def _download(self, url: str) -> bytes | None:
        dest = Path(self._dir.name) / "file"
        left = self.left

        def progress(done: int, total: int | None) -> None:
            if done > left or (total is not None and total > left):
                raise _TooBig

        try:
            self.fetch(url, dest, progress)
            return dest.read_bytes()
        except _TooBig:
            self.over_cap += 1
        except MluviiError as exc:
            self.failed.append(exc.message)
        except OSError as exc:
            self.failed.append(f"cannot keep a downloaded file: {exc.strerror or exc}")
        finally:
            dest.unlink(missing_ok=True)
        return None

    def summary(self) -> str:
        """One line: what was embedded, and what stayed a name and why ("" when no file)."""
        parts = []
        if self.embedded:
            parts.append(f"{self.embedded} files embedded ({_size(self.embedded_bytes)})")
        if self.over_cap:
            parts.append(
                f"the {self.cap / 1e6:g} MB cap was reached: {self.over_cap} files are listed by "
                "name only (raise it with --embed-cap-mb)"
            )
        if self.failed:
            parts.append(f"{len(self.failed)} files could not be downloaded ({self.failed[0]})")
        return "; ".join(parts)

    def close(self) -> None:
        self._dir.cleanup()


class ThreadFetch:
    """``Fetch`` for a synchronous caller without an event loop (the CLI): the client's
    downloads run on a loop of their own, in a thread."""

    def __init__(self, make_client: Callable[[], Any]) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self.client = make_client()

    def __call__(self, url: str, dest: Path, progress: Callable[[int, int | None], None]) -> Any:
        done = asyncio.run_coroutine_threadsafe(
            self.client.download(url, dest, progress), self._loop
        )
        return done.result()

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self.client.aclose(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()


def loop_fetch(client: Any, loop: asyncio.AbstractEventLoop) -> Fetch:
    """``Fetch`` through ``client`` on the running ``loop`` (the console's), from a thread."""

    def fetch(url: str, dest: Path, progress: Callable[[int, int | None], None]) -> Any:
        return asyncio.run_coroutine_threadsafe(client.download(url, dest, progress), loop).result()

    return fetch
