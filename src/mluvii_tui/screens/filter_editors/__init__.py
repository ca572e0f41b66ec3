"""Filter editors, one per column kind (time, enum, pick list, min/max, text, id list)."""

from .editors import (
    EnumEditor,
    FilterEditor,
    IdsEditor,
    PickEditor,
    RangeEditor,
    TextEditor,
    TimeEditor,
    editor_for,
)

__all__ = [
    "EnumEditor",
    "FilterEditor",
    "IdsEditor",
    "PickEditor",
    "RangeEditor",
    "TextEditor",
    "TimeEditor",
    "editor_for",
]
