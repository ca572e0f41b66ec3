"""The one keymap: every action of the console as a named command with a binding id.

``table.py`` holds the table (``COMMANDS``): binding id, default keys, the Textual action,
the palette title, the help group, the ``:`` aliases and where the binding lives (its scope);
``commands.py`` uses it (bindings per scope, alias lookup, remap checks, key text).
Classes take their ``BINDINGS`` from it (``bindings("transcript")``) and say their scope in
``KEYMAP_SCOPE``, so the footer, the ``?`` help, the command palette and the ``:`` line all show the
same commands, and users remap any of them by binding id (``[keys]`` in config.toml).

UI layer: may import Textual (Binding) and the text utility; imported by widgets, screens and app.
"""
