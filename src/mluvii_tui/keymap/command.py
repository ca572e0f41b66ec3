"""One command of the keymap: its binding id, default keys, action, titles and aliases (the
rows are in table.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    id: str  # binding id, the name users remap: "sessions.export"
    keys: str  # default keys, comma-separated Textual names ("" = palette and ":" only)
    action: str  # Textual action run on the scope's node: "export", "detail_tab(1)"
    title: str  # palette and help text: "Export the filtered list…"
    group: str  # help group: "Sessions", "Filters", "Detail", "Transcript", ...
    scope: str  # which node holds the binding: "app", "sessions", "table", "transcript", ...
    footer: str = ""  # short footer label; "" = not in the footer
    aliases: tuple[str, ...] = ()  # ":" command-line names
    priority: bool = False
    palette: bool = True  # offered in ctrl+p and ":" (False for plain cursor movement)
    arg_action: str = ""  # ":alias ARG" runs this action with ARG as its one string argument


def _c(*args: object, **kwargs: object) -> Command:
    return Command(*args, **kwargs)  # type: ignore[arg-type]


#: The detail pane's tabs, in the order of their number keys.
TAB_TITLES = ("Transcript", "Info", "Parameters", "Notes", "Routing", "Recordings")
TAB_IDS = ("transcript", "info", "params", "notes", "routing", "recordings")
