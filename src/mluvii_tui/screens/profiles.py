"""Command palette: "Profile: <name>" switches the console to another profile without a restart.
Each profile has its own store, state and audit log (config.paths), so tenants never mix."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from ..config.profiles import ConfigError
from ..connect.opening import profile_names
from ..text import one_line


class ProfileCommands(Provider):
    """One command per profile in config.toml other than the one in use."""

    def _commands(self) -> list[tuple[str, str]]:
        try:
            names = profile_names()
        except ConfigError:
            return []
        current = self.app.profile  # type: ignore[attr-defined]
        return [(f"Profile: {one_line(n, 60)}", n) for n in names if n != current]

    def _switch(self, name: str) -> None:
        self.app.switch_profile(name)  # type: ignore[attr-defined]

    async def discover(self) -> Hits:
        for title, name in self._commands():
            yield DiscoveryHit(title, partial(self._switch, name), help="Switch to this profile")

    async def search(self, query: str) -> AsyncIterator[Hit]:  # type: ignore[override]
        matcher = self.matcher(query)
        for title, name in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(title),
                    partial(self._switch, name),
                    help="Switch to this profile",
                )
