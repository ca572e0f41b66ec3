"""One editor per kind of column. ``build()`` returns the new Filter or raises ValueError with a
one-line message; the popup validates it further and shows any message inline."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, RadioButton, RadioSet, SelectionList
from textual.widgets.selection_list import Selection

from mluvii_tui.query.filters import parse_id_list
from mluvii_tui.query.timeframes import PRESETS, is_preset, parse_local_datetime, to_stored
from mluvii_tui.query.types import Filter
from mluvii_tui.text import one_line

from .data import PICK_COLUMNS, distinct_values, load_people

BOOL_VALUES = ("yes", "no")
TEXT_OPS = (("contains", "contains"), ("equals", "equals"), ("empty", "is empty"))
TEXT_OPS += (("not_empty", "is not empty"),)


class FilterEditor(Vertical):
    """Base: an editor for one column; ``current`` is the filter on that column, if any."""

    DEFAULT_CLASSES = "filter-editor"

    def __init__(self, column: Any, current: Filter | None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.column = column
        self.current = current

    def build(self) -> Filter:
        raise NotImplementedError

    def focus_first(self) -> None:
        for widget in self.query("Input, SelectionList, RadioSet"):
            if widget.focusable:
                widget.focus()
                return


def _input(value: str | None, placeholder: str, id: str) -> Input:
    return Input(value=value or "", placeholder=placeholder, id=id, compact=True)


# --------------------------------------------------------------------------------------- time


class TimeEditor(FilterEditor):
    """Presets (last hour, today, ...) or an absolute from/to in the local time zone."""

    CUSTOM = "custom"

    def __init__(self, column: Any, current: Filter | None, *, now: datetime) -> None:
        super().__init__(column, current)
        self.now = now.astimezone()
        self._defaults = ("", "")

    def compose(self) -> ComposeResult:
        cur = self.current
        chosen = cur.label if cur is not None and cur.op == "range" and is_preset(cur.label) else ""
        if cur is not None and cur.op == "range" and not chosen:
            chosen = self.CUSTOM
        with RadioSet(id="time-presets"):
            for name in PRESETS:
                yield RadioButton(name, value=name == chosen, name=name)
            yield RadioButton("from / to (below)", value=chosen == self.CUSTOM, name=self.CUSTOM)
        zone = self.now.strftime("%Z")
        offset = self.now.strftime("%z")
        zone_text = f"{zone} (UTC{offset[:3]}:{offset[3:]})" if offset else zone
        yield Label(Text(f"Local time, zone {zone_text}"), id="time-zone", classes="hint")
        low, high = self._defaults = self._absolute_defaults()
        with Horizontal(classes="editor-row"):
            yield Label("From ", classes="field-label")
            yield _input(low, "2026-11-30 or 30.11.2026 14:05", "time-from")
        with Horizontal(classes="editor-row"):
            yield Label("To   ", classes="field-label")
            yield _input(high, "2026-11-30 18:00 (a date alone = whole day)", "time-to")

    def _absolute_defaults(self) -> tuple[str, str]:
        cur = self.current
        if cur is None or cur.op != "range" or is_preset(cur.label):
            return "", ""
        return _stored_to_local(cur.low, self.now), _stored_to_local(cur.high, self.now)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.value.strip():  # typing a date picks "from / to"
            for button in self.query(RadioButton):
                if button.name == self.CUSTOM and not button.value:
                    button.value = True

    def build(self) -> Filter:
        presets = self.query_one(RadioSet)
        pressed = presets.pressed_button
        highlighted = presets._selected  # RadioSet has no public "highlighted" (textual 8.2)
        if presets.has_focus and highlighted is not None:
            pressed = list(presets.query(RadioButton))[highlighted]  # enter applies what is lit
        choice = pressed.name if pressed is not None else None
        low_text = self.query_one("#time-from", Input).value.strip()
        high_text = self.query_one("#time-to", Input).value.strip()
        if (low_text, high_text) != self._defaults:  # typed dates win over a preset
            choice = self.CUSTOM
        if choice and choice != self.CUSTOM:
            return Filter(self.column.id, "range", label=choice)
        if not low_text and not high_text:
            raise ValueError("choose a time frame or enter a from / to date")
        tz = self.now.tzinfo
        low = high = None
        if low_text:
            low = str(to_stored(_parse(low_text, tz, "from")))
        if high_text:
            moment = _parse(high_text, tz, "to")
            if ":" not in high_text:  # a date alone: up to the end of that day
                moment = moment + timedelta(days=1) - timedelta(seconds=1)
            high = str(to_stored(moment))
        if low is not None and high is not None and float(low) > float(high):
            raise ValueError("'from' is after 'to'")
        return Filter(self.column.id, "range", low=low, high=high)


def _parse(text: str, tz: Any, which: str) -> datetime:
    try:
        return parse_local_datetime(text, tz)
    except ValueError as exc:
        raise ValueError(f"{which}: {exc}") from None


def _stored_to_local(raw: str | None, now: datetime) -> str:
    if raw in (None, ""):
        return ""
    try:
        moment = datetime.fromtimestamp(float(raw), now.tzinfo)
    except (ValueError, OverflowError, OSError):
        return one_line(raw, 40)
    return moment.strftime("%Y-%m-%d %H:%M")


# -------------------------------------------------------------------------------------- enums


class EnumEditor(FilterEditor):
    """Multi-select checklist of the column's values (space toggles)."""

    def __init__(self, column: Any, current: Filter | None, *, store: Any = None) -> None:
        super().__init__(column, current)
        self.store = store

    def choices(self) -> list[str]:
        if self.column.kind == "bool":
            return list(BOOL_VALUES)
        values = list(self.column.enum_values)
        for extra in distinct_values(self.store, self.column) if self.store is not None else []:
            if extra not in values:  # values the enum does not know yet (tolerant enums)
                values.append(extra)
        return values

    def compose(self) -> ComposeResult:
        chosen = set(self.current.values) if self.current and self.current.op == "in" else set()
        options = [Selection(Text(one_line(v, 60)), v, v in chosen) for v in self.choices()]
        yield Label("space: check / uncheck · several values match any of them", classes="hint")
        yield SelectionList[str](*options, id="enum-list")

    def build(self) -> Filter:
        selected = tuple(self.query_one("#enum-list", SelectionList).selected)
        if not selected:
            raise ValueError("check at least one value")
        return Filter(self.column.id, "in", values=selected)


# ---------------------------------------------------------------------------------- pick list


class PickEditor(FilterEditor):
    """Type-ahead pick list of operators, groups or chatbots (names; several = any of them)."""

    def __init__(self, column: Any, current: Filter | None) -> None:
        super().__init__(column, current)
        self.all_names: list[str] = []
        self.chosen: list[str] = list(current.values) if current and current.op in _PICK_OPS else []

    def compose(self) -> ComposeResult:
        yield _input("", "type to narrow the list", "pick-search")
        yield Label("loading names…", id="pick-note", classes="hint")
        yield SelectionList[str](id="pick-list")

    def on_mount(self) -> None:
        self._load()

    @work(exclusive=True, group="pick-load", exit_on_error=False)
    async def _load(self) -> None:
        names, note = await load_people(self.app, self.column)
        self.all_names = list(dict.fromkeys([*self.chosen, *names]))
        label = self.query_one("#pick-note", Label)
        if note:
            label.update(Text(note))
            label.add_class("warning")
        else:
            label.update(Text(f"{len(self.all_names)} names · space: check / uncheck"))
        self._refill()

    def _refill(self) -> None:
        needle = self.query_one("#pick-search", Input).value.strip().casefold()
        listing = self.query_one("#pick-list", SelectionList)
        listing.clear_options()
        shown = [n for n in self.all_names if needle in n.casefold()][:200]
        listing.add_options([Selection(Text(n), n, n in self.chosen) for n in shown])
        if shown:
            listing.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "pick-search":
            self._refill()

    def on_selection_list_selection_toggled(self, event: SelectionList.SelectionToggled) -> None:
        value = event.selection.value
        if value in self.chosen:
            self.chosen.remove(value)
        else:
            self.chosen.append(value)

    def build(self) -> Filter:
        if not self.chosen:
            raise ValueError("check at least one name")
        values = tuple(self.chosen)
        if self.column.kind in ("person", "ids"):
            return Filter(self.column.id, "in", values=values)
        # a plain-text list column (groups): any of the names contained in it
        return Filter(self.column.id, "contains", values=values)


_PICK_OPS = ("in", "contains")


# ------------------------------------------------------------------------------------ min/max


class RangeEditor(FilterEditor):
    """Minimum and maximum (either may stay empty)."""

    def compose(self) -> ComposeResult:
        cur = self.current if self.current and self.current.op == "range" else None
        hint = "durations: 1:30, 90 (seconds) or 2m" if self.column.kind == "duration" else ""
        yield Label(hint or "numbers; leave one side empty for no limit", classes="hint")
        with Horizontal(classes="editor-row"):
            yield Label("Min ", classes="field-label")
            yield _input(cur.low if cur else "", "no minimum", "range-min")
        with Horizontal(classes="editor-row"):
            yield Label("Max ", classes="field-label")
            yield _input(cur.high if cur else "", "no maximum", "range-max")

    def build(self) -> Filter:
        low = self.query_one("#range-min", Input).value.strip() or None
        high = self.query_one("#range-max", Input).value.strip() or None
        if low is None and high is None:
            raise ValueError("enter a minimum, a maximum or both")
        return Filter(self.column.id, "range", low=low, high=high)


# --------------------------------------------------------------------------------------- text


class TextEditor(FilterEditor):
    """contains / equals / is empty / is not empty."""

    def compose(self) -> ComposeResult:
        cur = self.current
        op = cur.op if cur is not None and cur.op in dict(TEXT_OPS) else "contains"
        with RadioSet(id="text-op"):
            for key, label in TEXT_OPS:
                yield RadioButton(label, value=key == op, name=key)
        value = cur.values[0] if cur is not None and cur.values and op == cur.op else ""
        yield _input(value, "text (case and diacritics do not matter)", "text-value")

    def focus_first(self) -> None:
        self.query_one("#text-value", Input).focus()

    def build(self) -> Filter:
        pressed = self.query_one(RadioSet).pressed_button
        op = pressed.name if pressed is not None and pressed.name else "contains"
        if op in ("empty", "not_empty"):
            return Filter(self.column.id, op)
        value = self.query_one("#text-value", Input).value
        if not value.strip():
            raise ValueError("enter some text (or choose 'is empty')")
        return Filter(self.column.id, op, values=(value.strip(),))


# ----------------------------------------------------------------------------------- id lists


class IdsEditor(FilterEditor):
    """A list of session ids: "123, 456"."""

    def compose(self) -> ComposeResult:
        cur = self.current
        value = ", ".join(cur.values) if cur is not None and cur.op == "in" else ""
        yield Label("one or more ids separated by commas or spaces", classes="hint")
        yield _input(value, "123, 456", "ids-value")

    def build(self) -> Filter:
        ids = parse_id_list(self.query_one("#ids-value", Input).value)
        return Filter(self.column.id, "in", values=tuple(str(i) for i in ids))


def editor_for(column: Any, current: Filter | None, *, now: datetime, store: Any) -> FilterEditor:
    """The editor a column's type needs."""
    if column.kind == "time":
        return TimeEditor(column, current, now=now)
    if column.id in PICK_COLUMNS:
        return PickEditor(column, current)
    if column.kind in ("enum", "bool"):
        return EnumEditor(column, current, store=store)
    if column.id == "id":
        return IdsEditor(column, current)
    if column.kind in ("number", "duration"):
        return RangeEditor(column, current)
    return TextEditor(column, current)
