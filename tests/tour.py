"""What the key tour presses, derived from the code and the README (never a hand-kept copy):
every ``Binding`` of every class in app.py, screens/ and widgets/, every command of the palette,
and every key of README's key table. A class whose bindings have no place to be pressed, or a
README key that nothing binds, fails the tour."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from dataclasses import dataclass
from pathlib import Path

from textual.binding import Binding
from textual.dom import DOMNode

import mluvii_tui

README = Path(__file__).resolve().parents[1] / "README.md"
UI_PACKAGES = ("mluvii_tui.app", "mluvii_tui.screens", "mluvii_tui.widgets")


@dataclass(frozen=True)
class Press:
    owner: str  # class name whose BINDINGS hold the key
    binding_id: str
    key: str


def ui_classes() -> list[type[DOMNode]]:
    """Every DOMNode subclass defined in the UI modules (imported here, so new ones count)."""
    names = ["mluvii_tui.app"]
    for info in pkgutil.walk_packages(mluvii_tui.__path__, "mluvii_tui."):
        if info.name.startswith(UI_PACKAGES[1:]):
            names.append(info.name)
    classes: dict[str, type[DOMNode]] = {}
    for name in names:
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, DOMNode) and cls.__module__ == name:
                classes[f"{name}.{cls.__qualname__}"] = cls
    return list(classes.values())


def bindings() -> list[Press]:
    """One Press per key of every Binding declared by a UI class itself."""
    presses = []
    for cls in ui_classes():
        for binding in cls.__dict__.get("BINDINGS", []):
            assert isinstance(binding, Binding), f"{cls.__name__}: use Binding(..., id=...)"
            for key in binding.key.split(","):
                presses.append(Press(cls.__name__, binding.id or binding.action, key.strip()))
    return presses


_README_NAMES = {
    "↑": "up",
    "↓": "down",
    "←": "left",
    "→": "right",
    "PgUp": "pageup",
    "PgDn": "pagedown",
    "Home": "home",
    "End": "end",
    "esc": "escape",
    "/": "slash",
    "?": "question_mark",
    "<": "less_than_sign",
    ">": "greater_than_sign",
    "=": "equals_sign",
    ":": "colon",
    "(F1)": "f1",
}


def readme_keys() -> list[str]:
    """The keys in the first column of README's key table, as Textual names them."""
    text = README.read_text(encoding="utf-8")
    start = text.index("| key | action |")
    keys: list[str] = []
    for line in text[start:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        cell = line.split("|")[1]
        if cell.strip() == "/":
            keys.append("slash")
            continue
        for token in re.split(r"[\s,]+", cell.replace(" / ", " ")):
            token = token.strip()
            if not token:
                continue
            if re.fullmatch(r"\d–\d", token):  # "1–6"
                keys += [str(n) for n in range(int(token[0]), int(token[2]) + 1)]
            elif token in ("↑↓", "←→"):
                keys += [_README_NAMES[c] for c in token]
            else:
                keys.append(_README_NAMES.get(token, token))
    return list(dict.fromkeys(keys))
