"""Filtering of simulator sessions: lazily computed lookup fields per session (lower-cased
strings, epoch seconds, sets) and predicates compiled from a SessionFilter, as the API applies them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..api.filters import DateTimeFilter, SessionFilter, TextFilter, TimeSpanFilter
from .timefmt import parse_epoch, parse_seconds


def _low(value: Any) -> str | None:
    return value.lower() if isinstance(value, str) else (None if value is None else str(value))


class SessionRecord:
    """Lookup fields of one session (lower-cased strings, epoch seconds, sets)."""

    __slots__ = (
        "_texts",
        "auto",
        "bots",
        "browser",
        "chan_ident",
        "channel",
        "client_id",
        "concurrent",
        "created",
        "dept",
        "id",
        "idents",
        "left",
        "length",
        "ops",
        "os",
        "reason",
        "result",
        "scale",
        "session",
        "source",
        "stars",
        "status",
        "tags",
        "text",
        "times",
        "waited",
        "widget",
    )  # fmt: skip

    def __init__(self, s: dict) -> None:
        self.session = s
        self.id = int(s["id"])
        self.created = parse_epoch(s.get("created"))

    def __getattr__(self, name: str) -> Any:
        # Lookup fields are computed on first use, so that startup stays fast.
        if name.startswith("__") or name == "_filled":
            raise AttributeError(name)
        self._fill()
        return object.__getattribute__(self, name)

    def _fill(self) -> None:
        s = self.session
        g = s.get("guest") if isinstance(s.get("guest"), dict) else {}
        ops = [o for o in s.get("operators") or [] if isinstance(o, dict)]
        acts = [a for a in s.get("activities") or [] if isinstance(a, dict)]
        self.dept = s.get("departmentId")
        self.chan_ident = g.get("channelIdentity")
        self.status = _low(s.get("status"))
        self.channel = _low(s.get("channel"))
        self.source = _low(s.get("source"))
        initial = next(
            (
                a.get("text")
                for a in acts
                if a.get("type") == "ChatMessage" and a.get("client") == "Guest"
            ),
            None,
        )
        self.text = {
            "landing_page": s.get("url"),
            "ip_address": g.get("ipAddress"),
            "phone_callback_number": s.get("phoneCallbackNumber"),
            "initial_message": initial,
            "language": g.get("language"),
            "gdpr_version": None if g.get("gdprVersion") is None else str(g.get("gdprVersion")),
        }
        self.ops = {o.get("userId") for o in ops}
        self.bots = {b.get("chatbotId") for b in s.get("chatbots") or [] if isinstance(b, dict)}
        self.stars = s.get("guestFeedbackStars")
        self.widget = _low(s.get("widget"))
        self.result = {_low(o.get("feedbackResult")) for o in ops if o.get("feedbackResult")}
        self.tags = {_low(t.get("name")) for t in s.get("tags") or [] if isinstance(t, dict)}
        idents = {_low(g.get("identity"))} if g.get("identity") else set()
        idents |= {
            _low(a.get("submissionIdentification"))
            for a in acts
            if a.get("submissionIdentification")
        }
        self.idents = idents
        self.times = {
            "created": self.created,
            "guest_joined": parse_epoch(s.get("guestJoined")),
            "accepted": parse_epoch(s.get("started")),
            "ended": parse_epoch(s.get("ended")),
            "anonymized": parse_epoch(s.get("anonymized")),
        }
        self.waited = parse_seconds(s.get("waited"))
        self.length = parse_seconds(s.get("length"))
        self.scale = _low(s.get("guestFeedbackScale"))
        ident = g.get("identity")
        self.client_id = int(ident) if isinstance(ident, str) and ident.isdigit() else ident
        self.browser = _low(g.get("browser"))
        self.os = _low(g.get("os"))
        self.left = _low(s.get("guestLeftSession"))
        self.auto = s.get("autoAccepted")
        self.concurrent = _concurrent(ops)
        self.reason = next(
            (
                _low(a.get("terminationReason"))
                for a in reversed(acts)
                if a.get("type") == "SessionEnded" and a.get("terminationReason")
            ),
            None,
        )
        self._texts: str | None = None

    def texts(self) -> str:
        if self._texts is None:
            acts = self.session.get("activities") or []
            self._texts = "\n".join(
                a["text"].lower()
                for a in acts
                if isinstance(a, dict) and isinstance(a.get("text"), str)
            )
        return self._texts


def _concurrent(ops: list[dict]) -> bool:
    if len(ops) < 2:
        return False
    spans = []
    for o in ops:
        joined = parse_epoch(o.get("joined"))
        if joined is not None:
            spans.append((joined, parse_epoch(o.get("left")) or float("inf")))
    spans.sort()
    latest_end = float("-inf")
    for start, end in spans:
        if start < latest_end:
            return True
        latest_end = max(latest_end, end)
    return False


def _text_pred(attr: str, f: TextFilter) -> Callable[[SessionRecord], bool]:
    needle = (f.text or "").lower()

    def pred(r: SessionRecord) -> bool:
        value = r.text[attr]
        if f.null is not None and f.null != (value is None or value == ""):
            return False
        if f.text is None:
            return True
        if value is None:
            return False
        low = value.lower()
        return low == needle if f.exact else needle in low

    return pred


def _range_pred(
    get: Callable[[SessionRecord], float | None],
    lo: float | None,
    hi: float | None,
    null: bool | None,
) -> Callable[[SessionRecord], bool]:
    def pred(r: SessionRecord) -> bool:
        value = get(r)
        if null is not None and null != (value is None):
            return False
        if lo is not None and (value is None or value < lo):
            return False
        return not (hi is not None and (value is None or value > hi))

    return pred


def compile_filter(f: SessionFilter) -> list[Callable[[SessionRecord], bool]]:
    """Predicates over lookup records, one per filter that is set."""
    preds: list[Callable[[SessionRecord], bool]] = []

    def in_set(values: tuple, get: Callable[[SessionRecord], Any], lower: bool = True) -> None:
        if values:
            wanted = {str(v).lower() for v in values} if lower else set(values)
            preds.append(lambda r: get(r) in wanted)

    def any_in(values: tuple, get: Callable[[SessionRecord], set], lower: bool = True) -> None:
        if values:
            wanted = {str(v).lower() for v in values} if lower else set(values)
            preds.append(lambda r: bool(get(r) & wanted))

    in_set(f.session_id, lambda r: r.id, False)
    in_set(f.department_id, lambda r: r.dept, False)
    in_set(f.channel_identity_id, lambda r: r.chan_ident, False)
    in_set(f.status, lambda r: r.status)
    in_set(f.channel, lambda r: r.channel)
    in_set(f.source, lambda r: r.source)
    for attr in (
        "landing_page",
        "ip_address",
        "phone_callback_number",
        "initial_message",
        "language",
        "gdpr_version",
    ):
        tf: TextFilter = getattr(f, attr)
        if not tf.is_empty():
            preds.append(_text_pred(attr, tf))
    any_in(f.operator_user_id, lambda r: r.ops, False)
    any_in(f.chatbot_id, lambda r: r.bots, False)
    in_set(f.client_stars, lambda r: r.stars, False)
    in_set(f.widget, lambda r: r.widget)
    any_in(f.result, lambda r: r.result)
    any_in(f.tags, lambda r: r.tags)
    any_in(f.guest_identifications, lambda r: r.idents)
    for attr in ("created", "guest_joined", "accepted", "ended", "anonymized"):
        dt: DateTimeFilter = getattr(f, attr)
        if not dt.is_empty():
            lo = dt.min.timestamp() if dt.min else None
            hi = dt.max.timestamp() if dt.max else None
            preds.append(_range_pred(lambda r, a=attr: r.times[a], lo, hi, dt.null))
    for attr, get in (("waiting_time", lambda r: r.waited), ("duration", lambda r: r.length)):
        ts: TimeSpanFilter = getattr(f, attr)
        if not ts.is_empty():
            lo = ts.min.total_seconds() if ts.min is not None else None
            hi = ts.max.total_seconds() if ts.max is not None else None
            preds.append(_range_pred(get, lo, hi, ts.null))
    in_set(f.client_feedback_scale, lambda r: r.scale)
    in_set(f.client_id, lambda r: r.client_id, False)
    in_set(f.browser, lambda r: r.browser)
    in_set(f.os, lambda r: r.os)
    in_set(f.guest_left_session, lambda r: r.left)
    if f.auto_accepted is not None:
        preds.append(lambda r: bool(r.auto) == f.auto_accepted)
    if f.has_concurrent_operators is not None:
        preds.append(lambda r: r.concurrent == f.has_concurrent_operators)
    if f.activity_texts_contain:
        needle = f.activity_texts_contain.lower()
        preds.append(lambda r: needle in r.texts())
    in_set(f.termination_reason, lambda r: r.reason)
    return preds


_NAN = float("nan")
_STATUS_TEXT: dict[str, str] = {}


def quick_fields(s: dict) -> tuple[float, str | None]:
    """(ended epoch or NaN, status in lower case) of a stored session."""
    ended = parse_epoch(s.get("ended"))
    status = s.get("status")
    if isinstance(status, str):
        status = _STATUS_TEXT.setdefault(status.lower(), status.lower())
    else:
        status = None if status is None else str(status)  # as matching._low
    return (_NAN if ended is None else ended), status


def quick_pred(ended: DateTimeFilter, statuses: tuple[str, ...]) -> Any:
    """A test of (ended, status) as ``matching.compile_filter`` would decide them."""
    lo = ended.min.timestamp() if ended.min else None
    hi = ended.max.timestamp() if ended.max else None
    null = ended.null
    wanted = {str(v).lower() for v in statuses}

    def pred(end: float, status: str | None) -> bool:
        if wanted and status not in wanted:
            return False
        missing = end != end  # NaN
        if null is not None and null != missing:
            return False
        if lo is not None and (missing or end < lo):
            return False
        return not (hi is not None and (missing or end > hi))

    return pred
