"""The command table. Add a command here (one line), then give its scope's class
``KEYMAP_SCOPE = "<scope>"`` and ``BINDINGS = bindings("<scope>")`` and an ``action_<name>``.

One meaning per key across the app: ``y`` copies, ``D`` downloads, ``enter`` opens or edits the
thing under the cursor, ``ctrl+s`` saves/submits a form, ``e`` exports, ``c`` chooses columns.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from textual.binding import Binding
from textual.keys import format_key


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


TAB_TITLES = ("Transcript", "Info", "Parameters", "Notes", "Routing", "Recordings")
TAB_IDS = ("transcript", "info", "params", "notes", "routing", "recordings")

COMMANDS: tuple[Command, ...] = (
    # -- everywhere
    _c("app.quit", "q", "quit", "Quit", "General", "app", "Quit", ("q", "quit", "exit")),
    _c("app.quit_ctrl_c", "ctrl+c", "quit", "Quit", "General", "app", priority=True, palette=False),
    _c(
        "app.help",
        "question_mark,f1",
        "show_help",
        "Help: all keys",
        "General",
        "app",
        "Help",
        ("help", "keys", "?"),
    ),
    _c(
        "app.command_line",
        "colon",
        "command_line",
        "Command line (:)",
        "General",
        "app",
        palette=False,
    ),
    _c(
        "app.palette",
        "ctrl+p",
        "command_palette",
        "Command palette",
        "General",
        "textual",
        palette=False,
    ),  # Textual binds it (App.COMMAND_PALETTE_BINDING); listed for help
    _c(
        "app.theme",
        "",
        "change_theme",
        "Change theme…",
        "General",
        "app",
        aliases=("theme",),
        arg_action="set_theme",
    ),
    _c(
        "app.stats",
        "S",
        "stats",
        "Statistics of the current filter",
        "Sessions",
        "app",
        aliases=("stats", "charts"),
    ),
    _c(
        "help.close",
        "escape,question_mark,f1,q",
        "close",
        "Close the help",
        "General",
        "help",
        palette=False,
    ),
    _c(
        "command_line.cancel",
        "escape",
        "cancel",
        "Leave the command line",
        "General",
        "command_line",
        palette=False,
    ),
    _c(
        "command_line.complete",
        "tab",
        "complete",
        "Complete the command name",
        "General",
        "command_line",
        palette=False,
        priority=True,
    ),
    _c(
        "filter_input.close",
        "escape",
        "close",
        "Leave the quick filter / search line",
        "Filters",
        "filter_input",
        palette=False,
    ),
    # -- the sessions screen
    _c(
        "sessions.view_history",
        "",
        "show_view('history')",
        "Show History (ended sessions)",
        "Sessions",
        "sessions",
        aliases=("history", "h"),
    ),
    _c(
        "sessions.view_live",
        "",
        "show_view('live')",
        "Show Live (ongoing sessions)",
        "Sessions",
        "sessions",
        aliases=("live", "l"),
    ),
    _c(
        "sessions.toggle_view",
        "v",
        "toggle_view",
        "Switch History / Live",
        "Sessions",
        "sessions",
        "View",
    ),
    _c("sessions.sync", "r", "resync", "Sync now", "Sessions", "sessions", aliases=("sync",)),
    _c(
        "sessions.pause",
        "p",
        "toggle_pause",
        "Pause / resume live updates",
        "Sessions",
        "sessions",
        aliases=("pause", "resume"),
    ),
    _c(
        "sessions.export",
        "e",
        "export",
        "Export the filtered list (CSV/HTML)…",
        "Sessions",
        "sessions",
        "Export",
        ("export", "x"),
    ),
    _c(
        "sessions.export_one",
        "E",
        "export_session",
        "Export this session (HTML/JSON)…",
        "Sessions",
        "sessions",
        aliases=("export-session",),
    ),
    _c(
        "sessions.columns",
        "c",
        "choose_columns",
        "Choose columns…",
        "Columns",
        "sessions",
        aliases=("columns", "cols"),
    ),
    _c(
        "sessions.toggle_detail",
        "d",
        "toggle_detail",
        "Show / hide the detail pane",
        "Detail",
        "sessions",
        "Detail",
        ("detail",),
    ),
    _c(
        "sessions.maximize_detail",
        "z",
        "maximize_detail",
        "Maximise the detail pane",
        "Detail",
        "sessions",
        aliases=("zoom",),
    ),
    _c(
        "sessions.back",
        "escape",
        "back",
        "Back (leave the pane, close it)",
        "General",
        "sessions",
        palette=False,
    ),
    *(
        _c(
            f"sessions.tab{n}",
            str(n),
            f"detail_tab({n})",
            f"Detail: {TAB_TITLES[n - 1]}",
            "Detail",
            "sessions",
            aliases=(TAB_IDS[n - 1],),
        )
        for n in range(1, 7)
    ),
    # -- filters (screen-level)
    _c(
        "filters.column",
        "f",
        "filter_column",
        "Filter the column under the cursor…",
        "Filters",
        "sessions",
        "Filter",
        ("filter",),
    ),
    _c(
        "filters.quick",
        "slash",
        "quick_filter",
        "Quick filter (text in visible columns)",
        "Filters",
        "sessions",
        "Quick",
        ("quick",),
    ),
    _c(
        "filters.search",
        "s",
        "search_content",
        "Search in message content",
        "Filters",
        "sessions",
        "Search",
        ("search", "find"),
    ),
    _c(
        "filters.bar",
        "F",
        "focus_filter_bar",
        "Edit the active filters",
        "Filters",
        "sessions",
        aliases=("filters",),
    ),
    _c(
        "filters.clear",
        "",
        "clear_filters",
        "Clear all filters",
        "Filters",
        "sessions",
        aliases=("clear",),
    ),
    _c(
        "filters.views",
        "w",
        "saved_views",
        "Saved views…",
        "Filters",
        "sessions",
        aliases=("views", "view"),
    ),
    _c(
        "filters.save_view",
        "W",
        "save_view",
        "Save the current view…",
        "Filters",
        "sessions",
        aliases=("save-view",),
    ),
    # -- the sessions table
    _c("table.up", "up,k", "cursor_up", "Up", "Table", "table", palette=False),
    _c("table.down", "down,j", "cursor_down", "Down", "Table", "table", palette=False),
    _c("table.page_up", "pageup,ctrl+b", "page_up", "Page up", "Table", "table", palette=False),
    _c(
        "table.page_down",
        "pagedown,ctrl+f",
        "page_down",
        "Page down",
        "Table",
        "table",
        palette=False,
    ),
    _c("table.first", "home,g", "first", "First session", "Table", "table", aliases=("top",)),
    _c("table.last", "end,G", "last", "Last session", "Table", "table", aliases=("bottom",)),
    _c(
        "table.column_left", "left,h", "column_left", "Column left", "Table", "table", palette=False
    ),
    _c(
        "table.column_right",
        "right,l",
        "column_right",
        "Column right",
        "Table",
        "table",
        palette=False,
    ),
    _c(
        "table.sort",
        "o",
        "sort_column",
        "Sort by the column under the cursor",
        "Table",
        "table",
        "Sort",
        ("sort",),
    ),
    _c(
        "table.sort_reverse",
        "O",
        "sort_reverse",
        "Reverse the sort",
        "Table",
        "table",
        aliases=("reverse",),
    ),
    _c(
        "table.narrower",
        "less_than_sign",
        "narrower",
        "Narrow the column under the cursor",
        "Columns",
        "table",
        aliases=("narrower",),
    ),
    _c(
        "table.wider",
        "greater_than_sign",
        "wider",
        "Widen the column under the cursor",
        "Columns",
        "table",
        aliases=("wider",),
    ),
    _c(
        "table.fit",
        "equals_sign",
        "fit_columns",
        "Fit column widths to the content",
        "Columns",
        "table",
        aliases=("fit",),
    ),
    _c(
        "table.open",
        "enter",
        "open",
        "Open the session in the detail pane",
        "Table",
        "table",
        palette=False,
    ),
    # -- detail tabs
    _c(
        "transcript.next",
        "down,j",
        "move(1)",
        "Next message",
        "Transcript",
        "transcript",
        palette=False,
    ),
    _c(
        "transcript.previous",
        "up,k",
        "move(-1)",
        "Previous message",
        "Transcript",
        "transcript",
        palette=False,
    ),
    _c(
        "transcript.first",
        "home,g",
        "jump(0)",
        "First message",
        "Transcript",
        "transcript",
        palette=False,
    ),
    _c(
        "transcript.last",
        "end,G",
        "jump(-1)",
        "Last message",
        "Transcript",
        "transcript",
        palette=False,
    ),
    _c(
        "transcript.copy",
        "y",
        "copy_one",
        "Copy the message",
        "Transcript",
        "transcript",
        "Copy",
        ("copy",),
    ),
    _c(
        "transcript.copy_all",
        "Y",
        "copy_all",
        "Copy the whole transcript",
        "Transcript",
        "transcript",
        aliases=("copy-all",),
    ),
    _c(
        "transcript.download",
        "D",
        "download",
        "Download the file in this message",
        "Transcript",
        "transcript",
        "Download",
        ("download",),
    ),
    _c("transcript.next_hit", "n", "hit(1)", "Next search hit", "Transcript", "transcript"),
    _c("transcript.prev_hit", "N", "hit(-1)", "Previous search hit", "Transcript", "transcript"),
    _c(
        "info.copy_link",
        "y",
        "copy_link",
        "Copy the link to the session",
        "Info",
        "info",
        "Copy link",
        ("link",),
    ),
    _c(
        "params.copy",
        "y",
        "copy_value",
        "Copy the parameter's value",
        "Parameters",
        "params",
        "Copy",
    ),
    _c("params.edit", "enter", "edit", "Edit the parameter", "Parameters", "params", "Edit"),
    _c(
        "params.filter",
        "slash",
        "filter",
        "Filter the parameters",
        "Parameters",
        "params",
        palette=False,
    ),
    _c("notes.save", "ctrl+s", "save", "Save the note", "Notes", "notes", "Save note"),
    # -- admin actions (issue 13; screens/admin_actions.py). R on the routing tab is this R: it
    # re-routes the session shown in the detail; on the table, the row or the marked rows.
    _c(
        "sessions.reroute",
        "R",
        "reroute",
        "Re-route the session (or the marked ones)…",
        "Admin",
        "sessions",
        aliases=("reroute",),
    ),
    _c(
        "sessions.mark",
        "space",
        "toggle_mark",
        "Mark the session for a bulk re-route",
        "Admin",
        "sessions",
        aliases=("mark",),
    ),
    _c(
        "sessions.mark_all",
        "A",
        "mark_all",
        "Mark every live session of the filter (again: clear marks)",
        "Admin",
        "sessions",
        aliases=("mark-all",),
    ),
    _c(
        "sessions.contact",
        "m",
        "contact",
        "Contact the client of an ended session again…",
        "Admin",
        "sessions",
        aliases=("contact",),
    ),
    _c("sessions.ban", "B", "ban", "Ban the client…", "Admin", "sessions", aliases=("ban",)),
    _c(
        "sessions.blacklist",
        "b",
        "blacklist",
        "Blacklist: bans, unban",
        "Admin",
        "sessions",
        aliases=("blacklist",),
    ),
    _c(
        "sessions.audit_log",
        "",
        "audit_log",
        "Audit log of admin actions",
        "Admin",
        "sessions",
        aliases=("audit",),
    ),
    _c(
        "recordings.download",
        "enter,D",
        "download",
        "Download the recording",
        "Recordings",
        "recordings",
        "Download",
    ),
)

BY_ID: dict[str, Command] = {c.id: c for c in COMMANDS}


def bindings(scope: str) -> list[Binding]:
    """The Textual bindings of one scope, each with its binding id (for remapping)."""
    return [
        Binding(
            c.keys,
            c.action,
            c.footer or c.title,
            show=bool(c.footer),
            id=c.id,
            priority=c.priority,
        )
        for c in COMMANDS
        if c.scope == scope and c.keys
    ]


def alias_table() -> dict[str, Command]:
    """``:`` names -> command (an alias names one command; checked by the tests)."""
    table: dict[str, Command] = {}
    for command in COMMANDS:
        for alias in command.aliases:
            table[alias] = command
    return table


def resolve_alias(text: str) -> tuple[Command | None, str]:
    """The command a ``:`` line names and its argument text, or (None, a one-line reason)."""
    word, _, rest = text.strip().lstrip(":").partition(" ")
    word = word.lower()
    if not word:
        return None, ""
    table = alias_table()
    command = table.get(word)
    if command is None:  # a prefix of exactly one name will do (":liv" is ":live")
        starting = {table[name] for name in table if name.startswith(word)}
        if len(starting) == 1:
            command = starting.pop()
    if command is not None:
        return command, rest.strip()
    near = difflib.get_close_matches(word, list(alias_table()), n=1)
    hint = f" (did you mean :{near[0]}?)" if near else ""
    return None, f"unknown command :{word}{hint}"


def check_keymap(keymap: dict[str, str]) -> str | None:
    """None when every binding id exists, else one line naming the bad id and the nearest."""
    for binding_id, keys in keymap.items():
        if binding_id not in BY_ID:
            near = difflib.get_close_matches(binding_id, list(BY_ID), n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            return f"[keys]: unknown binding id {binding_id!r}{hint}"
        if not isinstance(keys, str) or not keys.strip():
            return f'[keys]: {binding_id} needs keys such as "ctrl+e", not {keys!r}'
    return None


def effective_keys(command: Command, keymap: dict[str, str]) -> str:
    """The keys a command has now (the user's remap, else the default)."""
    return keymap.get(command.id, command.keys)


def key_text(keys: str) -> str:
    """Keys for people: "question_mark,f1" -> "? f1", "enter" -> "enter"."""
    shown = []
    for key in keys.split(","):
        key = key.strip()
        if key:
            shown.append(key if key == "enter" else format_key(key))
    return " ".join(shown)
