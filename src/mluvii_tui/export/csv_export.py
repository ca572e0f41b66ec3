"""CSV from store rows: RFC 4180 quoting (csv module, CRLF), formulas neutralised, long cells cut.

One row per session. Times are ISO 8601 with offset; each duration column becomes two: seconds and
h:mm:ss; call parameters are ``param:<name>`` columns; ``Transcript`` (optional) holds the whole
transcript as plain text. See cells.py for the neutralisation and cutting rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, Any

from mluvii_tui.config.zone import zone_name
from mluvii_tui.domain.transcript_decode import Loader, source_items
from mluvii_tui.domain.transcript_text import transcript_text
from mluvii_tui.query.columns import Column

from .cells import MAX_CELL_CHARS, neutralise
from .csvline import CsvQuoter, FieldMaker, compile_csv_line

TRANSCRIPT_HEADER = "Transcript"


def text_transcript(source: Any, session_id: int, load: Loader) -> str:
    """The Transcript cell of an export row's source (``transcript_decode.source_items``):
    ``transcript_text``, or "" when the session is not available."""
    items = source_items(source, session_id, load)
    return "" if items is None else transcript_text(items)


def column_header(col: Column) -> str:
    return col.id if col.param is not None else col.header


def csv_plan(columns: Sequence[Column]) -> tuple[list[str], list[Column], list[bool]]:
    """(headers, source column, needs-neutralising flag), one entry per output column."""
    headers: list[str] = []
    sources: list[Column] = []
    untrusted: list[bool] = []
    for col in columns:
        f = col.format
        name = column_header(col)
        if col.kind == "time":  # the cells carry their offset; the header names the zone
            name = f"{name} ({zone_name()})"
        for header in f.csv_headers:
            headers.append(header.format(name))
            sources.append(col)
            untrusted.append(not f.trusted)
    return headers, sources, untrusted


class CsvWriter:
    """Writes the header and one line per session; counts the cells it had to cut.

    Rows are reader tuples (reader.py) whose fields are ``fields`` in that order; each window of
    rows becomes one string (csvline.py) and one write."""

    def __init__(
        self,
        out: IO[str],
        columns: Sequence[Column],
        fields: Sequence[str],
        *,
        delimiter: str = ",",
        include_transcripts: bool = False,
        side_file: IO[str] | None = None,
        side_name: str = "",
    ) -> None:
        self._out = out
        self._delimiter = delimiter
        headers, _, _ = csv_plan(columns)
        self._cuts: list[int] = []
        self._fields = FieldMaker(CsvQuoter(delimiter), self._cuts.append)
        self._line = compile_csv_line(columns, fields, self._fields)
        self.include_transcripts = include_transcripts
        if include_transcripts:
            headers.append(TRANSCRIPT_HEADER)
        self.headers = headers
        self._side = side_file
        self._side_name = side_name
        self.cut_cells = 0
        self.cut_sessions: list[int] = []
        quote = self._fields.quoter.quote
        out.write(delimiter.join(quote(h) for h in headers) + "\r\n")

    def _transcript(self, text: str, session_id: int) -> str:
        """The transcript field; a cut transcript goes whole to the side file when there is one."""
        if self._side is not None and len(text) > MAX_CELL_CHARS:
            text = neutralise(text)
            self._side.write(f"=== Session {session_id} ===\n{text}\n\n")
            return self._fields.finish(text, session_id, where=self._side_name)
        return self._fields.finish(text, session_id)

    def write_window(
        self, rows: list[tuple[Any, ...]], transcripts: list[str] | None = None
    ) -> None:
        """Write the lines of ``rows`` (with their transcripts when the export has them)."""
        line = self._line
        if self.include_transcripts:
            d = self._delimiter
            field = self._transcript
            texts = transcripts if transcripts is not None else [""] * len(rows)
            lines = [line(r) + d + field(t or "", r[0]) for r, t in zip(rows, texts, strict=True)]
        else:
            lines = list(map(line, rows))
        if lines:
            lines.append("")
            self._out.write("\r\n".join(lines))
        cuts = self._cuts
        if cuts:
            self.cut_cells += len(cuts)
            seen = self.cut_sessions
            for sid in cuts:
                if not seen or seen[-1] != sid:
                    seen.append(sid)
            cuts.clear()
