"""The command line: `mluvii-tui` and its subcommands (console, demo, simulator, export, ...).

The only package that parses argv. It may import every other package; nothing imports it. Commands
that do not open the console (export, simulator, relay) must not import Textual.
"""
