"""Running keymap commands by name: for the command palette (``KeymapCommands``) and the ``:``
line. A command runs on the node that holds its scope on the current screen (the app, the
screen, or a widget such as the transcript); a detail tab's command first shows that tab."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from functools import partial
from typing import Any

from textual.app import App
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode
from textual.screen import Screen

from mluvii_tui.keymap.commands import effective_keys, key_text
from mluvii_tui.keymap.table import COMMANDS, TAB_IDS, Command


def scope_of(node: DOMNode) -> str:
    """The keymap scope a node's class declares ("" when none)."""
    for klass in type(node).__mro__:
        scope = klass.__dict__.get("KEYMAP_SCOPE")
        if scope:
            return str(scope)
    return ""


def target_for(app: App[Any], screen: Screen[Any], scope: str) -> DOMNode | None:
    """The node that runs commands of ``scope`` on ``screen`` (None: not on this screen)."""
    if scope == "app":
        return app
    if scope_of(screen) == scope:
        return screen
    for node in screen.walk_children():
        if scope_of(node) == scope:
            return node
    return None


def available(app: App[Any], screen: Screen[Any]) -> Iterator[tuple[Command, DOMNode]]:
    """The palette commands that can run on ``screen``, with their target node."""
    for command in COMMANDS:
        if not command.palette:
            continue
        target = target_for(app, screen, command.scope)
        if (
            target is not None
            and target.check_action(command.action.split("(")[0], ()) is not False
        ):
            yield command, target  # (False: removed here, e.g. mutating actions in read-only mode)


async def run_command(app: App[Any], command: Command, arg: str = "") -> None:
    """Run ``command`` (with the ``:`` line's argument, if it takes one) on the current screen."""
    screen = app.screen
    target = target_for(app, screen, command.scope)
    if target is None:
        app.notify(f"{command.title}: not available here", severity="warning", timeout=4)
        return
    if command.scope in TAB_IDS and target is not screen:
        sessions = target_for(app, screen, "sessions")
        if sessions is not None:  # show the tab first, so the command acts on what is shown
            await app.run_action(f"detail_tab({TAB_IDS.index(command.scope) + 1})", sessions)
    action = command.action
    if arg and command.arg_action:
        action = f"{command.arg_action}({arg!r})"
    if target is not app and target is not screen and target.focusable:
        target.focus()
    await app.run_action(action, target)


def keymap_of(app: App[Any]) -> dict[str, str]:
    """The user's remaps (binding id -> keys) the app was started with."""
    return dict(app._keymap)


class KeymapCommands(Provider):
    """Every command of the keymap that the current screen offers, with its keys."""

    def _hits(self) -> list[tuple[str, Any, str]]:
        app = self.app
        keymap = keymap_of(app)
        out = []
        for command, _target in available(app, self.screen):
            keys = key_text(effective_keys(command, keymap))
            aliases = " ".join(f":{a}" for a in command.aliases[:2])
            help_text = "  ".join(p for p in (keys, aliases, command.group) if p)
            out.append((command.title, partial(run_command, app, command), help_text))
        return out

    async def discover(self) -> Hits:
        for title, callback, help_text in self._hits():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> AsyncIterator[Hit]:  # type: ignore[override]
        matcher = self.matcher(query)
        for title, callback, help_text in self._hits():
            score = max(matcher.match(title), matcher.match(help_text) * 0.5)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
