"""What follows the seconds of an API time, read once per shape instead of once per activity.

The fast transcript paths accept ``YYYY-MM-DDTHH:MM:SS`` followed by an optional fraction of 1-6
digits and an optional offset (``Z`` or ``±HH:MM``); anything else goes to the exact path. Times
written by isoformat and by the model dump carry six fraction digits, a new value on every
activity, so the shape is remembered by the part after those digits.
"""

from __future__ import annotations

import re

#: A tail that is not a fraction and an offset (the exact path decides).
BAD = "!"
_SHAPE = re.compile(r"(\.[0-9]{1,6})?(Z|[+-][0-9][0-9]:[0-9][0-9])?").fullmatch
_offsets: dict[str, str] = {}


def offset_of(tail: str) -> str:
    """The offset as isoformat spells it (``+01:00``; ``Z`` and ``-00:00`` are ``+00:00``), ""
    for none (a local time), or BAD. ``tail`` is the time string from its 20th character on."""
    if len(tail) > 7 and tail[0] == "." and tail[1:7].isdigit() and not tail[7:8].isdigit():
        key = "u" + tail[7:]  # six fraction digits: one shape whatever they are
    else:
        key = tail
    out = _offsets.get(key)
    if out is None:
        if len(_offsets) > 4096:
            _offsets.clear()
        m = _SHAPE(tail)
        out = BAD if m is None else m.group(2) or ""
        if out in ("Z", "-00:00"):
            out = "+00:00"
        _offsets[key] = out
    return out
