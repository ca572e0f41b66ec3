"""Using the command table (table.py): the Textual bindings of a scope, the ``:`` aliases and
their resolution, checking and applying the user's remaps (``[keys]`` by binding id), and keys
as people read them.
"""

from __future__ import annotations

import difflib

from textual.binding import Binding
from textual.keys import format_key

from .table import COMMANDS, Command

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
