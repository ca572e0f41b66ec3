"""A profile's console settings applied: its time zone, theme, default view and default columns
(config.toml ``[profiles.NAME]``), at start and when the palette switches profile.

A value the console cannot use (an unknown theme, saved view or column) is one line naming the
file, the line and the key; the rest of the profile still applies and nothing is lost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mluvii_tui.config.profiles import VIEWS, Profile, setting_problem
from mluvii_tui.config.zone import use_zone
from mluvii_tui.query.columns import BASIC_COLUMNS, COLUMNS, column_by_id

if TYPE_CHECKING:
    from ..app import MluviiApp


def apply_zone_and_theme(app: MluviiApp, profile: Profile, theme: str) -> list[str]:
    """Show times in the profile's zone (else the local one) and use ``theme`` (at start the
    flag's, else the profile's, else ``[ui]``'s; on a switch the new profile's, else the theme
    stays); the lines about values that did not apply."""
    use_zone(profile.time_zone)  # checked when the file was read
    if not theme:
        return []
    problem = app.use_theme(theme)
    if problem is None:
        return []
    if theme == profile.theme:
        themes = sorted(app.available_themes)
        return [setting_problem(profile, "theme", theme, "is not a theme", themes)]
    return [problem]


def default_columns(app: MluviiApp, profile: Profile | None) -> tuple[list[Any], str | None]:
    """The table's columns when no layout is remembered: the profile's ``columns`` (unknown
    ones named in one line), else the basic ones."""
    ids = list(profile.columns) if profile is not None and profile.columns else []
    params = app.store.param_names() if ids else []
    columns = [c for c in (column_by_id(i, params) for i in ids) if c is not None]
    unknown = [i for i in ids if column_by_id(i, params) is None]
    notice = None
    if unknown and profile is not None:
        choices = [*COLUMNS, *(f"param:{p}" for p in params)]
        notice = setting_problem(profile, "columns", unknown[0], "is not a column", choices)
    if not columns:
        columns = [column_by_id(c) for c in BASIC_COLUMNS]
    return columns, notice


def default_view(profile: Profile | None) -> tuple[str, str]:
    """(the table's view to open with, the saved view to recall then or "")."""
    view = profile.view if profile is not None else "history"
    return (view, "") if view in VIEWS else ("history", view)


def saved_view_problem(profile: Profile, name: str, known: list[str]) -> str:
    """The line for a default view that is neither built in nor saved: History opens."""
    line = setting_problem(profile, "view", name, "is not a saved view", [*VIEWS, *known])
    return f"{line}: History is shown"
