"""``--filter`` text of the headless export -> store ``Filter`` objects.

Forms (column = a column id such as ``channel``, ``waited``, ``param:email``, or its header):
``col=a,b`` any of the values · ``col~text`` contains · ``col>=x``, ``col>x``, ``col<=x``,
``col<x`` a range (times as ``2026-11-01`` or ``2026-11-01 14:00``, durations as ``90`` or
``1:30``) · ``col=`` empty · ``col!=`` not empty.
"""

from __future__ import annotations

import re

from mluvii_tui.query.columns import COLUMNS, Column, column_by_id
from mluvii_tui.query.filterdesc import validate_filter
from mluvii_tui.query.filters import bound_value
from mluvii_tui.query.types import Filter

_SPEC = re.compile(r"^\s*([^=~<>!]+?)\s*(>=|<=|!=|=|~|>|<)\s*(.*?)\s*$", re.S)
_STRICT_STEP = 0.001  # "waited>60" excludes 60 itself


class FilterSpecError(ValueError):
    """A --filter that cannot be read; ``str(exc)`` is one line."""


def find_column(name: str) -> Column | None:
    col = column_by_id(name)
    if col is not None:
        return col
    low = name.casefold()
    for c in COLUMNS.values():
        if c.header.casefold() == low or c.id.casefold() == low:
            return c
    return None


def parse_filter(spec: str) -> Filter:
    m = _SPEC.match(spec)
    if not m:
        raise FilterSpecError(
            f"cannot read filter {spec!r}: use column=value[,value], column~text, "
            "column>=value or column<=value"
        )
    name, op, raw = m.group(1), m.group(2), m.group(3)
    col = find_column(name)
    if col is None:
        raise FilterSpecError(f"filter {spec!r}: unknown column {name!r}")
    if op == "=" and raw == "":
        flt = Filter(col.id, "empty")
    elif op == "!=":
        if raw:
            raise FilterSpecError(f"filter {spec!r}: '!=' only tests for a value (column!=)")
        flt = Filter(col.id, "not_empty")
    elif op == "~":
        flt = Filter(col.id, "contains", (raw,))
    elif op == "=":
        values = tuple(v.strip() for v in raw.split(",") if v.strip())
        if col.enum_values:
            canon = {v.casefold(): v for v in col.enum_values}
            values = tuple(canon.get(v.casefold(), v) for v in values)
        if col.kind in ("text", "person") or col.param is not None:
            flt = Filter(col.id, "equals", values)
        else:
            flt = Filter(col.id, "in", values)
    else:
        value = raw
        if op in (">", "<"):
            try:
                bound = bound_value(col.kind, raw)
            except ValueError as exc:
                raise FilterSpecError(f"filter {spec!r}: {exc}") from None
            if isinstance(bound, float):
                value = repr(bound + (_STRICT_STEP if op == ">" else -_STRICT_STEP))
        flt = (
            Filter(col.id, "range", low=value)
            if op.startswith(">")
            else Filter(col.id, "range", high=value)
        )
    problem = validate_filter(flt, col)
    if problem:
        raise FilterSpecError(f"filter {spec!r}: {problem}")
    return flt


def parse_filters(specs: list[str] | None) -> tuple[Filter, ...]:
    return tuple(parse_filter(s) for s in specs or ())
