"""The key footer of the sessions screen: Textual's ``Footer``, recomposed only when the keys it
shows change, and not while it is hidden.

Textual's footer mounts a widget per key again on every bindings signal, and a focus change
sends two: a search submitted (the input's keys, then the table's) cost the UI thread ~60 ms
there (1M store, measured with a profiler) while the query's worker waited for the GIL. The
screen hides the footer while its bottom input is open (the input takes its line; the table
keeps its size), so closing the input brings back the same keys and recomposes nothing: the
screen shows the footer before it moves the focus back, whose bindings signal compares them.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer

__all__ = ["SteadyFooter"]


class SteadyFooter(Footer):
    _shown: tuple[Any, ...] | None = None

    def bindings_changed(self, screen: Screen[Any]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or not self.display:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._recompose_if_changed)

    def _keys(self) -> tuple[Any, ...]:
        """What ``compose`` shows: each shown binding's key, text, action, enabled, tooltip."""
        return tuple(
            (b.key, b.description, b.action, enabled, tooltip, b.group)
            for (_node, b, enabled, tooltip) in self.screen.active_bindings.values()
            if b.show
        )

    async def _recompose_if_changed(self) -> None:
        keys = self._keys()
        if keys != self._shown:
            self._shown = keys
            await self.recompose()
