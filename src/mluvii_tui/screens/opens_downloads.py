"""Download requests from the detail pane open the download dialog (widgets never push screens).
Apart from the dialog so that the sessions screen imports neither the dialog nor the pane's
views before they are needed (the first frame shows neither)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.app import App

    from ..widgets.detail.recordings import RecordingsView
    from ..widgets.detail.transcript import TranscriptView


class OpensDownloads:
    """For a screen (or app) that holds a detail pane: download requests bubbling up from the
    transcript (files) and the recordings tab open the download dialog here, since widgets never
    push screens themselves."""

    def on_transcript_view_download_requested(
        self, event: TranscriptView.DownloadRequested
    ) -> None:
        self._open_download(event.file.url or "", event.file.name, offer_open=False)

    def on_recordings_view_download_requested(
        self, event: RecordingsView.DownloadRequested
    ) -> None:
        self._open_download(event.url, event.name, offer_open=True)

    def _open_download(self, url: str, name: str, *, offer_open: bool) -> None:
        from .download_dialog import DownloadDialog

        app: App[object] = self.app  # type: ignore[attr-defined]
        app.push_screen(DownloadDialog(url, name, offer_open=offer_open))
