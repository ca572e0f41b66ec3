"""Command palette entries that depend on the data: filter a given column, recall a saved view.
The fixed commands (search, export, columns, ...) come from the keymap (screens/keys.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

from mluvii_tui.text import one_line


def _sessions_screen(provider: Provider) -> Any | None:
    from mluvii_tui.screens.sessions import SessionsScreen

    screen = provider.screen
    if isinstance(screen, SessionsScreen):
        return screen
    for candidate in reversed(provider.app.screen_stack):
        if isinstance(candidate, SessionsScreen):
            return candidate
    return None


class SessionCommands(Provider):
    """Filter / search / views commands (only while the Sessions screen is open)."""

    def _commands(self) -> list[tuple[str, Callable[[], Any], str]]:
        screen = _sessions_screen(self)
        if screen is None:
            return []
        from mluvii_tui.screens.saved_views import view_names
        from mluvii_tui.widgets.session_table import SessionTable

        commands: list[tuple[str, Callable[[], Any], str]] = []
        try:
            table = screen.query_one(SessionTable)
        except Exception:
            return []
        for column in table.columns:
            commands.append(
                (
                    f"Filter: {one_line(column.header, 40)}",
                    partial(screen.action_filter_column, column.id),
                    "Open the filter popup of this column",
                )
            )
        try:
            names = view_names(self.app.profile)  # type: ignore[attr-defined]
        except Exception:
            names = []
        for name in names:
            commands.append(
                (
                    f"Saved view: {one_line(name, 60)}",
                    partial(screen.recall_view, name),
                    "Recall this saved view",
                )
            )
        return commands

    async def discover(self) -> Hits:
        for title, callback, help_text in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> AsyncIterator[Hit]:  # type: ignore[override]
        matcher = self.matcher(query)
        for title, callback, help_text in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
