"""The command table: the screen-level rows (screen_commands.py) and the detail tabs' and admin
actions' rows (pane_commands.py), in that order. Add a command there (one line), then give its
scope's class ``KEYMAP_SCOPE = "<scope>"`` and ``BINDINGS = bindings("<scope>")`` and an
``action_<name>``.

One meaning per key across the app: ``y`` copies, ``D`` downloads, ``enter`` opens or edits the
thing under the cursor, ``ctrl+s`` saves/submits a form, ``e`` exports, ``c`` chooses columns.
How the table is used (bindings per scope, ``:`` aliases, the user's remaps): commands.py.
"""

from __future__ import annotations

from .command import TAB_IDS, TAB_TITLES, Command
from .pane_commands import PANE_COMMANDS
from .screen_commands import SCREEN_COMMANDS

__all__ = ["COMMANDS", "TAB_IDS", "TAB_TITLES", "Command"]


COMMANDS: tuple[Command, ...] = SCREEN_COMMANDS + PANE_COMMANDS
