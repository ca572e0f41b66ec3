"""Hostile sessions: escape sequences, markup, formulas and huge lines for robustness tests."""

from __future__ import annotations

from . import texts as T
from .entries import file_entry


def hostile_slots(hist: int) -> dict[int, int]:
    """Which history indexes get hostile text, and which kind (0..3)."""
    if hist < 12:
        return {}
    # Spread over the history, and the message kind (0) among the newest sessions, so that
    # the demo's default 7-day window shows it too.
    slots = {hist * (k + 1) // 6: k for k in range(1, 4)}
    slots[hist - 2 - hist // 100] = 0
    return slots


def make_hostile(s: dict, kind: int, base: str) -> None:
    """Put hostile text into a served chat session (kinds 0..3)."""
    acts = s["activities"]
    end_idx = next(i for i, a in enumerate(acts) if a["type"] == "SessionEnded")
    at = acts[end_idx - 1]
    extra: list[dict] = []
    next_id = max(a["activityId"] for a in acts) + 1

    def msg(text: str, client: str = "Guest") -> None:
        nonlocal next_id
        extra.append(
            {
                "activityId": next_id,
                "time": at["time"],
                "type": "ChatMessage",
                "client": client,
                "text": text,
            }
        )
        next_id += 1

    params = s["guest"]["callParams"]
    if kind == 0:
        for text in T.HOSTILE_MESSAGES:
            msg(text)
        params["name"] = T.HOSTILE_NAME
        params["formula"] = '=HYPERLINK("http://x","y")'
        s["tags"] = [{"userId": None, "name": "[red]tag[/red]"}]
    elif kind == 1:
        msg("A" * (T.LONG_LINE_CHARS // 2) + " " + "Ž" * (T.LONG_LINE_CHARS // 2 - 1))
        long_url = "https://www.example-shop.cz/?q=" + "x" * (T.LONG_URL_CHARS - 31)
        s["url"] = long_url
        params["landing"] = long_url
    elif kind == 2:
        msg("posílám soubor")
        extra.append(
            {
                "activityId": next_id,
                "time": at["time"],
                "type": "SharedFile",
                "client": "Guest",
                "file": file_entry(base, s["id"], next_id, T.HOSTILE_FILE, None, False),
            }
        )
        params["name"] = "Jan\nNovák\r\nSecond line\tTab"
        s["guestFeedbackText"] = "\x1b[2J<b>bold</b> =1+1"
        s["guestFeedbackStars"] = 1
        s["guestFeedbackScale"] = "Likert"
    else:
        msg("\u202eevil\u202c \u200b\u200b =cmd|' /C calc'!A0 [link=x]y[/link]", client="Guest")
        if s["operators"]:
            s["operators"][0]["note"] = "[bold]op note[/bold] \x1b]52;c;aGk=\x07"
        s["widget"] = "<script>alert('w')</script>"
    acts[end_idx:end_idx] = extra
