"""The export dialog's last choices, kept per profile (state.json key ``export``).

Format, CSV delimiter and encoding, transcripts, side file and the target directory come back the
next time the dialog opens. Saved values are checked: anything unknown (an edited file, a
directory that is gone) falls back to the default, silently.
"""

from __future__ import annotations

import contextlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from mluvii_tui.config.settings import load_state, update_state

from .runner import ENCODINGS, FORMATS, ExportOptions

STATE_KEY = "export"


@dataclass
class ExportChoices:
    format: str = "csv"
    delimiter: str = ","
    encoding: str = "utf-8-sig"
    transcripts: bool = False
    side_file: bool = False
    directory: str = ""  # "" = the current directory

    @classmethod
    def from_state(cls, data: Any) -> ExportChoices:
        out = cls()
        if not isinstance(data, dict):
            return out
        if data.get("format") in FORMATS:
            out.format = data["format"]
        if data.get("delimiter") in (",", ";"):
            out.delimiter = data["delimiter"]
        if data.get("encoding") in ENCODINGS:
            out.encoding = data["encoding"]
        for flag in ("transcripts", "side_file"):
            if isinstance(data.get(flag), bool):
                setattr(out, flag, data[flag])
        directory = data.get("directory")
        if isinstance(directory, str) and directory and Path(directory).is_dir():
            out.directory = directory
        return out

    @classmethod
    def of(cls, options: ExportOptions) -> ExportChoices:
        """The choices an export was made with."""
        return cls(
            format=options.format,
            delimiter=options.delimiter,
            encoding=options.encoding,
            transcripts=options.include_transcripts,
            side_file=options.transcripts_side_file,
            directory=str(options.path.parent.resolve()),
        )

    def target_directory(self) -> Path:
        return Path(self.directory) if self.directory else Path.cwd()


def load_choices(profile: str | None) -> ExportChoices:
    if not profile:
        return ExportChoices()
    try:
        state, _ = load_state(profile)
    except OSError:
        return ExportChoices()
    return ExportChoices.from_state(state.get(STATE_KEY))


def save_choices(profile: str | None, choices: ExportChoices) -> None:
    """Remember the choices of a finished export (an unwritable config dir is not an error)."""
    if not profile:
        return
    with contextlib.suppress(OSError):
        update_state(profile, **{STATE_KEY: asdict(choices)})
