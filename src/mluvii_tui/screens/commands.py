"""Command palette entries for the Sessions screen: filter a column, search, quick filter,
clear filters, saved views. The app adds ``COMMANDS = App.COMMANDS | {SessionCommands}``."""

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
        commands += [
            ("Search in content", screen.action_search_content, "Full-text search in messages"),
            ("Quick filter", screen.action_quick_filter, "Narrow by text across visible columns"),
            ("Clear all filters", screen.action_clear_filters, "Remove filters, quick, search"),
            ("Save current view", screen.action_save_view, "Name the filters, columns and sort"),
            ("Export…", screen.action_export, "CSV or HTML of the filtered list"),
            ("Export this session…", screen.action_export_session, "One session as HTML/JSON"),
            ("Columns…", screen.action_choose_columns, "Show, hide and order columns"),
            ("Switch History / Live", screen.action_toggle_view, "Ended or ongoing sessions"),
        ]
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
