"""Saved views: a name for the current filters + columns + sort, kept per profile.

Stored in the profile state (``settings.update_state(profile, views=[...])``) as plain dicts;
a time preset is kept by its name (``label``) so a recalled "last 7 days" means the last 7 days
of today. A broken or partly unknown saved view is reported in one line, never fatal.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from mluvii_tui.config.settings import load_state, update_state
from mluvii_tui.query.columns import column_by_id
from mluvii_tui.query.types import FILTER_OPS, Filter, SortKey
from mluvii_tui.text import one_line

MAX_NAME = 60
VIEWS_KEY = "views"


# ------------------------------------------------------------------------ (de)serialising


def filter_to_dict(flt: Filter) -> dict[str, Any]:
    data: dict[str, Any] = {"column": flt.column, "op": flt.op}
    if flt.values:
        data["values"] = list(flt.values)
    if flt.low is not None:
        data["low"] = flt.low
    if flt.high is not None:
        data["high"] = flt.high
    if flt.label:
        data["label"] = flt.label
    return data


def filter_from_dict(data: Any) -> Filter | None:
    """A Filter from its saved form, or None when the dict is not a usable filter."""
    if not isinstance(data, dict):
        return None
    column, op = data.get("column"), data.get("op")
    if not isinstance(column, str) or not column or op not in FILTER_OPS:
        return None
    values = data.get("values") or []
    if not isinstance(values, list) or not all(isinstance(v, str | int | float) for v in values):
        return None

    def text(key: str) -> str | None:
        value = data.get(key)
        return None if value is None else str(value)

    return Filter(
        column=column,
        op=op,
        values=tuple(str(v) for v in values),
        low=text("low"),
        high=text("high"),
        label=str(data.get("label") or ""),
    )


def load_views(profile: str) -> tuple[list[dict[str, Any]], str | None]:
    """The profile's saved views (well-formed ones only, in saved order) and a warning, if any."""
    state, warning = load_state(profile)
    raw = state.get(VIEWS_KEY) or []
    if not isinstance(raw, list):
        return [], warning or "ignored the saved views: not a list"
    views = [v for v in raw if isinstance(v, dict) and isinstance(v.get("name"), str)]
    if len(views) != len(raw):
        warning = warning or f"ignored {len(raw) - len(views)} unreadable saved view(s)"
    return views, warning


def save_view(profile: str, view: dict[str, Any]) -> None:
    """Add or replace (same name) a view."""
    views, _ = load_views(profile)
    views = [v for v in views if v.get("name") != view["name"]]
    views.append(view)
    update_state(profile, **{VIEWS_KEY: views})


def delete_view(profile: str, name: str) -> None:
    views, _ = load_views(profile)
    update_state(profile, **{VIEWS_KEY: [v for v in views if v.get("name") != name]})


def view_names(profile: str) -> list[str]:
    return [v["name"] for v in load_views(profile)[0]]


# ------------------------------------------------------------------------ screen glue


def current_view(screen: Any, name: str) -> dict[str, Any]:
    from ..widgets.session_table import SessionTable

    table = screen.query_one(SessionTable)
    query = table.query
    return {
        "name": name,
        "filters": [filter_to_dict(f) for f in query.filters],
        "columns": [c.id for c in table.columns],
        "sort": {"column": query.sort.column, "descending": query.sort.descending},
        "view": query.view,
        "quick": query.quick,
        "search": query.search,
    }


def save_current_view(screen: Any, name: str) -> None:
    name = one_line(name, MAX_NAME)
    save_view(screen.app.profile, current_view(screen, name))
    screen.notify(f"Saved view “{name}”.")


def apply_view(screen: Any, name: str) -> bool:
    """Recall a saved view on the sessions screen; False (with a message) when it is not there."""
    from ..widgets.session_table import SessionTable

    views, warning = load_views(screen.app.profile)
    view = next((v for v in views if v.get("name") == name), None)
    if view is None:
        screen.notify(warning or f"No saved view named {one_line(name, 40)!r}.", severity="error")
        return False
    problems: list[str] = []
    param_names = screen.app.store.param_names()
    table = screen.query_one(SessionTable)
    column_ids = view.get("columns") if isinstance(view.get("columns"), list) else []
    columns = [column_by_id(str(c), param_names) for c in column_ids]
    if None in columns:
        problems.append("unknown columns dropped")
    columns = [c for c in columns if c is not None]
    filters: list[Filter] = []
    for raw in view.get("filters") or []:
        flt = filter_from_dict(raw)
        if flt is None or column_by_id(flt.column, param_names) is None:
            problems.append("an unreadable filter was skipped")
            continue
        filters.append(flt)
    sort = table.query.sort
    raw_sort = view.get("sort")
    if isinstance(raw_sort, dict) and column_by_id(str(raw_sort.get("column")), param_names):
        sort = SortKey(str(raw_sort["column"]), bool(raw_sort.get("descending", True)))
    if columns:
        table.set_columns(columns)
        update_state(screen.app.profile, columns=[c.id for c in columns])
    update_state(screen.app.profile, sort={"column": sort.column, "descending": sort.descending})
    text = lambda key: str(view.get(key) or "")  # noqa: E731
    query = replace(
        table.query,
        filters=tuple(filters),
        sort=sort,
        view=text("view") if text("view") in ("history", "live", "all") else table.query.view,
        quick=text("quick"),
        quick_columns=tuple(c.id for c in table.columns),
        search=text("search"),
    )
    ok = screen.apply_query(query)
    if ok:
        message = f"View “{one_line(name, MAX_NAME)}”"
        if problems:
            message += ": " + "; ".join(dict.fromkeys(problems))
        screen.notify(message, severity="warning" if problems else "information")
    return ok


# ------------------------------------------------------------------------ screens


class SavedViewsScreen(ModalScreen[str | None]):
    """Pick a saved view (enter) or delete one (delete); returns its name."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="views.cancel"),
        Binding("delete,ctrl+d", "delete", "Delete view", id="views.delete"),
    ]

    def __init__(self, views: list[dict[str, Any]]) -> None:
        super().__init__()
        self.views = views

    def compose(self) -> ComposeResult:
        with Vertical(id="saved-views"):
            yield Label("Saved views — enter recall · delete remove · esc close", classes="hint")
            yield OptionList(*self._options(), id="saved-views-list")

    def _options(self) -> list[Option]:
        options = []
        for view in self.views:
            label = Text(one_line(view["name"], MAX_NAME), style="bold")
            count = len(view.get("filters") or [])
            label.append(f"  {count} filter{'s' if count != 1 else ''}", style="dim")
            options.append(Option(label, id=view["name"]))
        return options

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_delete(self) -> None:
        listing = self.query_one(OptionList)
        index = listing.highlighted
        if index is None:
            return
        name = listing.get_option_at_index(index).id
        delete_view(self.app.profile, name)  # type: ignore[attr-defined]
        self.views = [v for v in self.views if v["name"] != name]
        listing.clear_options()
        listing.add_options(self._options())
        if not self.views:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class SaveViewScreen(ModalScreen[str | None]):
    """Ask for a view name; an existing name is replaced."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="save_view.cancel"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="save-view"):
            yield Label("Save the current filters, columns and sort as a view", classes="hint")
            yield Input(placeholder="view name", id="save-view-name", max_length=MAX_NAME)
            yield Label("", id="save-view-error", classes="error")

    def on_mount(self) -> None:
        self.query_one("#save-view-error").display = False
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        name = one_line(event.value, MAX_NAME)
        if not name:
            error = self.query_one("#save-view-error", Label)
            error.update(Text("⚠ enter a name"))
            error.display = True
            return
        self.dismiss(name)

    def action_cancel(self) -> None:
        self.dismiss(None)
