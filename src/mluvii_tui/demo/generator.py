"""Seeded, deterministic, realistic SessionModel JSON dicts (camelCase, as the API returns them).

``iter_sessions`` yields sessions lazily in creation order (oldest first), so a million sessions
can be streamed; ``generate_sessions`` collects them. Same arguments (including ``now``) give
byte-identical data. A handful of the newest sessions are live (IN_QUEUE, WAITING, ACTIVE, ACW);
a few sessions carry hostile text (escape sequences, markup, huge lines) for robustness tests.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Iterator
from datetime import UTC, datetime
from math import log as _log
from typing import Any

from . import texts as T
from .roster import (
    CHATBOT_ID,
    CHATBOT_NAME,
    COMPANY_ID,
    DEPARTMENT_ID,
    ENGLISH_GROUP_ID,
    GROUP_MEMBERS,
    GROUP_NAME,
    OPERATORS,
    SECOND_DEPARTMENT_ID,
    SIM_ORIGIN,
    Operator,
)
from .timefmt import CEST, CET, duration, iso_formatter, prague_tz, to_epoch
from .transcript import CALL_SCRIPT_FIELDS, HERO_FIELDS, Phrases, Trail, bot_phase, conversation

# (channel, source, weight)
CHANNEL_SOURCES = (
    ("Chat", "Default", 40), ("Chat", "WhatsApp", 10), ("Chat", "Facebook", 7),
    ("Chat", "Apple", 2), ("Chat", "VK", 1), ("Chat", "GenericChannel", 1),
    ("Chat", "ChatInvitation", 2),
    ("Chat", "Invitation", 1), ("Chat", "API", 1), ("AV", "Default", 5), ("AV", "Invitation", 3),
    ("Phone", "IncomingCall", 13), ("Phone", "OutgoingCall", 5), ("Phone", "Callback", 5),
    ("Phone", "Campaign", 4),
)  # fmt: skip
_CS_CUM: list[float] = []
_acc = 0.0
for _c in CHANNEL_SOURCES:
    _acc += _c[2]
    _CS_CUM.append(_acc)
MESSAGING = frozenset({"WhatsApp", "Facebook", "Apple", "VK", "GenericChannel"})
OS_BROWSER = (
    ("WINDOWS", "CHROME"), ("WINDOWS", "CHROMIUM_EDGE"), ("WINDOWS", "FF"), ("OSX", "SAFARI"),
    ("OSX", "CHROME"), ("ANDROID", "CHROME"), ("IOS", "SAFARI"), ("LINUX", "FF"),
    ("WINDOWS", "IE_11"), ("OTHER", "OPERA"),
)  # fmt: skip
DIAL_FAILURES = ("NO_ANSWER", "FAILED", "REJECTED", "UNREACHABLE", "INVALID_NUMBER", "BLACKLISTED")
PHONE_REASONS = (
    ("ExternalPartyLeft",) * 8
    + ("OperatorLeft",) * 6
    + ("CallForwardedToExternalPhone", "OperatorWithoutExtension", "ForwardToExternalPhoneFailed")
)
LIVE_PATTERN = ("IN_QUEUE", "ACTIVE", "ACW", "WAITING", "ACTIVE", "ACW", "ACTIVE", "IN_QUEUE")
# Relative traffic per local hour of day (index 0..23).
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 4, 8, 14, 18, 19, 18, 15, 16, 17, 16, 14, 11, 8, 6, 5, 4, 2, 1)


class FastRandom(random.Random):
    """``random.Random`` with cheaper ``randrange``/``choice``/``expovariate`` (float-based).

    Deterministic for a seed like its base class; the exact streams differ from the stdlib's.
    """

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:  # type: ignore[override]
        if stop is None:
            return int(self.random() * start)
        return start + int(self.random() * (stop - start))

    def choice(self, seq: Any) -> Any:  # type: ignore[override]
        return seq[int(self.random() * len(seq))]

    def expovariate(self, lambd: float = 1.0) -> float:
        return -_log(1.0 - self.random()) / lambd


def generate_sessions(
    count: int = 5000, seed: int = 7, now: datetime | None = None, days: int = 30
) -> list[dict]:
    """``count`` SessionModel dicts over ``days`` days before ``now``, oldest first."""
    return list(iter_sessions(count, seed, now, days))


def iter_sessions(
    count: int = 5000,
    seed: int = 7,
    now: datetime | None = None,
    days: int = 30,
    *,
    base_url: str = SIM_ORIGIN,
) -> Iterator[dict]:
    """Yield the sessions of ``generate_sessions`` one by one (constant memory)."""
    if count <= 0:
        return
    now_ts = float(int(to_epoch(now)))
    rng = FastRandom(seed)
    live_count = min(count // 2, max(4, min(20, count // 300)))
    hist = count - live_count
    start = now_ts - max(1, days) * 86400.0
    times = _history_times(rng, hist, start, now_ts - 3600.0)
    live_times = _live_times(rng, live_count, now_ts)
    hostile = _hostile_slots(hist)
    builder = _Builder(rng, now_ts, base_url.rstrip("/"))
    sid = 3_000_000 + rng.randrange(1000)
    for index in range(count):
        sid += 1 + int(rng.random() * 4)
        if index < hist:
            created = next(times)
            yield builder.session(sid, created, None, hostile.get(index))
        else:
            created, status = live_times[index - hist]
            yield builder.session(sid, created, status, None)


def _history_times(rng: random.Random, n: int, start: float, end: float) -> Iterator[float]:
    """``n`` increasing timestamps in [start, end), denser in business hours and on weekdays."""
    hours = max(1, int((end - start) // 3600))
    cum: list[float] = []
    acc = 0.0
    for h in range(hours):
        ts = start + h * 3600
        local = datetime.fromtimestamp(ts, prague_tz(ts))
        weight = HOUR_WEIGHTS[local.hour] * (0.45 if local.weekday() >= 5 else 1.0)
        acc += weight
        cum.append(acc)
    for i in range(n):
        u = (i + rng.random() * 0.98) / n * acc
        h = bisect_right(cum, u)
        h = min(h, hours - 1)
        prev = cum[h - 1] if h else 0.0
        frac = (u - prev) / (cum[h] - prev)
        yield start + (h + min(frac, 0.999)) * 3600


def _live_times(rng: random.Random, n: int, now_ts: float) -> list[tuple[float, str]]:
    ages = {"IN_QUEUE": (40, 300), "WAITING": (20, 240), "ACTIVE": (400, 1500), "ACW": (1800, 3300)}
    out = []
    for i in range(n):
        status = LIVE_PATTERN[i % len(LIVE_PATTERN)]
        low, high = ages[status]
        out.append((now_ts - rng.uniform(low, high), status))
    out.sort()
    return out


def _hostile_slots(hist: int) -> dict[int, int]:
    if hist < 12:
        return {}
    return {hist * (k + 1) // 6: k for k in range(4)}


class _Builder:
    def __init__(self, rng: random.Random, now_ts: float, base_url: str) -> None:
        self.rng = rng
        self.now = now_ts
        self.base = base_url
        self.formatters = (iso_formatter(CET), iso_formatter(CEST))

    def session(self, sid: int, t0: float, live: str | None, hostile: int | None) -> dict:
        rng = self.rng
        rand = rng.random
        if hostile is not None:
            channel, source = "Chat", "Default"
        else:
            channel, source, _ = CHANNEL_SOURCES[bisect_right(_CS_CUM, rand() * _CS_CUM[-1])]
        tz = prague_tz(t0)
        fmt = self.formatters[tz is CEST]

        x = rand()
        lang = "en" if x < 0.17 else ("sk" if x < 0.22 else "cs")
        en = lang == "en"
        first = rng.choice(T.GUEST_FIRST_EN if en else T.GUEST_FIRST_CS)
        last = rng.choice(T.GUEST_LAST_EN if en else T.GUEST_LAST_CS)
        email = (
            f"{_plain(first)}.{_plain(last)}{rng.randrange(100)}@example.{'com' if en else 'cz'}"
        )
        phone = f"+420{rng.randrange(600000000, 799999999)}"
        order = f"OBJ{rng.randrange(1000000, 9999999)}"
        values = {
            "order": order,
            "invoice": f"FV{rng.randrange(2024000, 2026999)}",
            "amount": f"{rng.randrange(99, 25000):,}".replace(",", " "),
            "date": _date_text(fmt(t0 + rng.randrange(-5, 6) * 86400), en),
            "email": email,
            "num": str(rng.randrange(10000, 99999)),
        }
        ph = Phrases(rng, lang, values)
        web = source not in MESSAGING and channel != "Phone"
        trail = Trail(sid, fmt, rng)
        s: dict[str, Any] = {"id": sid, "companyId": COMPANY_ID}
        s["departmentId"] = SECOND_DEPARTMENT_ID if rand() < 0.08 else DEPARTMENT_ID
        params: dict[str, str | None] = {}
        if web and rand() < 0.7:
            params["name"] = f"{first} {last}"
            params["email"] = email
        if channel == "Phone" or source == "WhatsApp":
            params["oo1_guest_phone"] = phone
            params["phone"] = phone
        if source in MESSAGING and rand() < 0.8:
            params["name"] = f"{first} {last}"
        if ph.tag in ("objednavka", "reklamace", "faktura") and rand() < 0.6:
            params["order_number"] = order
        if rand() < 0.35:
            params["customer_tier"] = rng.choice(("gold", "silver", "bronze", "vip"))
        if web and rand() < 0.3:
            params["utm_source"] = rng.choice(("newsletter", "google", "facebook", "direct"))
        if rand() < 0.1:
            params["oo1_guest_email"] = email
        os_, browser = OS_BROWSER[int(rand() * len(OS_BROWSER))] if web else (None, None)
        identity = str(rng.randrange(50000, 90000)) if rand() < 0.4 else None
        s["guest"] = {
            "tempId": rng.randrange(10**9, 10**10),
            "ipAddress": f"{rng.randrange(31, 223)}.{rng.randrange(256)}.{rng.randrange(256)}."
            f"{rng.randrange(1, 255)}"
            if web
            else None,
            "trackedId": _uuid(rng) if web else None,
            "identity": identity,
            "channelIdentity": rng.randrange(10**5, 10**6) if source in MESSAGING else None,
            "os": os_,
            "browser": browser,
            "language": lang,
            "callParams": params,
            "gdprVersion": rng.choice((3, 4)) if web else None,
        }
        s["channel"] = channel
        s["source"] = source
        s["status"] = "CLOSED"
        s["avSupport"] = ("WEB_RTC" if rand() < 0.9 else "NONE") if web else "NONE"
        s["directCallNumber"] = str(rng.randrange(1000, 9999)) if source == "Invitation" else None
        s["phoneCallbackNumber"] = phone if channel == "Phone" else None
        s["isDirectChat"] = source in ("Invitation", "ChatInvitation")
        s["url"] = rng.choice(T.LANDING_PAGES) if web else None
        if s["url"] and s["url"].startswith("https://www.example-shop.com") and not en:
            s["url"] = T.LANDING_PAGES[0]
        s["widget"] = ("eshop-en" if en else rng.choice(T.WIDGETS)) if web else None
        s["created"] = fmt(t0)
        self._flow(s, trail, ph, t0, fmt, live, hostile is not None)
        s["activities"] = trail.items
        if hostile is not None:
            _make_hostile(s, hostile, self.base)
        return s

    # -- the life of one session ------------------------------------------------------------

    def _flow(
        self,
        s: dict,
        trail: Trail,
        ph: Phrases,
        t0: float,
        fmt: Any,
        live: str | None,
        force_served: bool,
    ) -> None:
        rng = self.rng
        rand = rng.random
        channel, source = s["channel"], s["source"]
        phone = channel == "Phone"
        now = self.now
        t = t0 + rand() * 2
        s["guestJoined"] = fmt(t)
        # Outcome of a closed session.
        x = rand()
        outcome = "served"
        if not force_served and live is None:
            if source in ("Campaign", "OutgoingCall") and x < 0.25:
                outcome = "dial_failed"
            elif x < 0.08:
                outcome = "left_queue"
            elif x < 0.10:
                outcome = "before_queue"
            elif source in ("Facebook", "WhatsApp") and x < 0.16:
                outcome = "expired"
            elif x < 0.103:
                outcome = "blacklisted"
        bot = channel == "Chat" and source in ("Default", "WhatsApp", "Facebook") and rand() < 0.3
        if live in ("IN_QUEUE", "WAITING"):
            bot = False
        if not phone and rand() < 0.5 and not bot:
            welcome = T.WELCOME_EN if ph.en else T.WELCOME_CS
            trail.add(t, "WelcomeMessage", "User", text=welcome)
        if source in ("Campaign", "OutgoingCall"):
            s["outboundDialResult"] = "ANSWERED"
            s["campaignId"] = 7000 + rng.randrange(12) if source == "Campaign" else None
        opened = False
        s["chatbots"] = []
        if bot:
            resolves = outcome == "served" and live is None and not force_served and rand() < 0.2
            t_bot = t
            t = bot_phase(trail, ph, t + 1, resolves)
            s["chatbots"].append(
                {"chatbotId": CHATBOT_ID, "name": CHATBOT_NAME, "joined": fmt(t_bot + 1),
                 "left": fmt(t)}
            )  # fmt: skip
            opened = True
            if resolves:
                outcome = "bot_only"
        elif not phone and outcome != "before_queue":
            t += 1 + rand() * 5
            trail.add(t, "ChatMessage", "Guest", text=ph.opener())
            opened = True
        group = ENGLISH_GROUP_ID if ph.en and rand() < 0.8 else 11 + int(rand() * 4)
        if ph.tag == "reklamace" and rand() < 0.5:
            group = 13
        members = GROUP_MEMBERS[group]
        op = members[int(rand() * len(members))]
        operators: list[dict] = []
        s["operators"] = operators
        s["reviewers"] = []
        s["tags"] = []
        s["guestFeedbackStars"] = None
        s["guestFeedbackScale"] = None
        s["guestFeedbackText"] = None
        s["autoAccepted"] = False
        s["blacklisted"] = False
        s["phoneCallbackDialed"] = None
        s.setdefault("outboundDialResult", None)
        s.setdefault("campaignId", 7000 + rng.randrange(12) if rand() < 0.03 else None)
        s["recordings"] = None
        s["recordingsState"] = None
        waited = 3 + min(rng.expovariate(1 / 50), 60 if live else 900)
        if live in ("IN_QUEUE", "WAITING"):
            self._finish(s, fmt, t0, None, None, None, None, "StillConnected", live)
            return
        if outcome in ("left_queue", "before_queue", "dial_failed", "expired", "bot_only"):
            if outcome == "left_queue":
                t += waited
                reason, left = "GuestAbandoned", "LeftQueue"
            elif outcome == "before_queue":
                t += 2 + rand() * 20
                reason, left = rng.choice(
                    (("GuestLeft", "LeftBeforeQueue"), ("FailedRouting", "LeftBeforeQueue"))
                )
            elif outcome == "dial_failed":
                t += 20 + rand() * 30
                s["outboundDialResult"] = rng.choice(DIAL_FAILURES)
                reason, left = "CampaignFailedDial", "LeftBeforeQueue"
            elif outcome == "expired":
                t += 3600 * (1 + rand() * 20)
                reason, left = "ExternalSessionExpired", "LeftQueue"
            else:
                t += 2
                reason, left = "ChatbotLeft", "LeftSession"
            client = "Chatbot" if outcome == "bot_only" else "Guest"
            end = trail.add(t, "SessionEnded", client, terminationReason=reason)
            if client == "Chatbot":
                end["chatbotId"] = CHATBOT_ID
            self._finish(
                s,
                fmt,
                t0,
                None,
                t,
                t - t0 if outcome == "left_queue" else None,
                None,
                left,
                "CLOSED",
            )
            return
        # Served by an operator.
        if source == "Callback":
            s["phoneCallbackDialed"] = fmt(t + 5)
        t += waited
        started = t
        s["autoAccepted"] = phone and rand() < 0.5
        operators.append(_op_entry(op, fmt(t)))
        trail.add(t, "Joined", "User", userId=op.user_id)
        stop_at = {"ACTIVE": now - 2, "ACW": now - 200}.get(live or "", float("inf"))
        gap_scale = 12.0 if live else 40.0
        av = channel == "AV" or (channel == "Chat" and source == "Default" and rand() < 0.05)
        if phone:
            t = self._phone(trail, op, t, stop_at)
        else:
            if av and not live:
                t = self._av(trail, op, t)
            rounds = 1 + int(rand() * (3 if live else 6))
            t = conversation(
                trail,
                ph,
                t,
                op,
                rounds=rounds,
                opened=opened,
                whatsapp=source == "WhatsApp",
                stop_at=stop_at,
                gap_scale=gap_scale,
            )
        t = self._extras(s, trail, ph, t, op, stop_at, web=s["url"] is not None)
        if live == "ACTIVE":
            s["tags"] = [{"userId": op.user_id, "name": ph.tag}] if rand() < 0.5 else []
            self._finish(s, fmt, t0, started, None, started - t0, None, "StillConnected", live)
            return
        # The end.
        t += 2 + rand() * 20
        if not phone and rand() < 0.4:
            trail.add(
                t, "LastFarewellMessage", "User", text=T.FAREWELL_EN if ph.en else T.FAREWELL_CS
            )
        if outcome == "blacklisted":
            reason, left = "OperatorLeft", "LeftAfterSession"
            s["blacklisted"] = True
        elif phone:
            reason = PHONE_REASONS[int(rand() * len(PHONE_REASONS))]
            if source == "Campaign" and rand() < 0.3:
                reason = "CampaignTerminated"
            left = "LeftSession" if reason == "ExternalPartyLeft" else "LeftAfterSession"
        else:
            y = rand()
            if y < 0.5:
                reason, left = "GuestLeft", "LeftSession"
            elif y < 0.9:
                reason, left = "OperatorLeft", "LeftAfterSession"
            else:
                reason = rng.choice(
                    ("OperatorAbandoned", "SessionApiCall", "SingleUseSession", "UnknownReason")
                )
                left = "LeftAfterSession"
        client = "Guest" if reason in ("GuestLeft", "ExternalPartyLeft") else "User"
        end = trail.add(t, "SessionEnded", client, terminationReason=reason)
        if client == "User":
            end["userId"] = operators[-1]["userId"]
        ended = t
        for entry in operators:
            if entry["left"] is None:
                entry["left"] = fmt(ended)
        last_op = operators[-1]
        trail.add(ended + 0.5, "Left", "User", userId=last_op["userId"])
        if live != "ACW":
            acw_end = min(ended + 5 + rand() * 150, now - 1)
            for entry in operators:
                if entry["concluded"] is None:
                    entry["concluded"] = fmt(acw_end)
        status = live or ("BLACKLISTED" if outcome == "blacklisted" and rand() < 0.5 else "CLOSED")
        if rand() < 0.55:
            s["tags"] = [{"userId": op.user_id, "name": ph.tag}]
            if rand() < 0.15:
                s["tags"].append({"userId": None, "name": rng.choice(T.TAGS)})
        if rand() < 0.3 and not phone:
            s["guestFeedbackStars"] = rng.choice((5, 5, 5, 4, 4, 3, 2, 1))
            s["guestFeedbackScale"] = "Likert"
            s["guestFeedbackText"] = rng.choice(T.FEEDBACK_TEXTS) or None
        if rand() < 0.4:
            last_op["feedbackResult"] = rng.choice(T.FEEDBACK_RESULTS)
        if rand() < 0.15:
            last_op["note"] = rng.choice(T.OPERATOR_NOTES)
        if rand() < 0.03:
            s["reviewers"] = [_reviewer(OPERATORS[int(rand() * 5) * 5], "Zkontrolováno.")]
        if channel != "Chat" or av:
            self._recordings(s, operators, started, ended, phone, fmt)
        self._finish(s, fmt, t0, started, ended, started - t0, ended - started, left, status)

    def _finish(
        self,
        s: dict,
        fmt: Any,
        t0: float,
        started: float | None,
        ended: float | None,
        waited: float | None,
        length: float | None,
        left: str,
        status: str,
    ) -> None:
        s["started"] = fmt(started) if started is not None else None
        s["ended"] = fmt(ended) if ended is not None else None
        s["waited"] = duration(waited) if waited is not None else None
        s["length"] = duration(length) if length is not None else None
        s["guestLeftSession"] = left
        s["status"] = status

    def _phone(self, trail: Trail, op: Operator, t: float, stop_at: float) -> float:
        rng = self.rng
        if rng.random() < 0.4:
            t += 5
            script = trail.add(
                t,
                "CallScript",
                "User",
                userId=op.user_id,
                originalFormId=300 + rng.randrange(3),
                callScript=CALL_SCRIPT_FIELDS,
            )
            t += 30 + rng.random() * 200
            if t < stop_at:
                trail.add(
                    t,
                    "CallScriptSubmission",
                    "User",
                    userId=op.user_id,
                    submissionOfActivityId=script["activityId"],
                    submissionByOperatorId=op.user_id,
                    submissionResult="Submitted",
                    submissionParams={
                        "call_reason": rng.choice(("info", "order", "complaint")),
                        "callback": rng.random() < 0.3,
                        "summary": "Zákazník se ptal na stav objednávky.",
                    },
                )
        else:
            t += 20 + min(rng.expovariate(1 / 180), 1500)
        if rng.random() < 0.15 and t < stop_at:
            trail.add(t, "OnHold", "User", userId=op.user_id)
            t += 10 + rng.random() * 60
            trail.add(t, "ResumeGuest", "User", userId=op.user_id)
        return min(t, stop_at - 1)

    def _av(self, trail: Trail, op: Operator, t: float) -> float:
        rng = self.rng
        t += 5 + rng.random() * 20
        trail.add(t, "AvRequest", "User", userId=op.user_id, response="Requested")
        t += 3 + rng.random() * 10
        answer = rng.choice(("Accepted", "Accepted", "Accepted", "RejectedUser", "RejectedNoMic"))
        trail.add(t, "AvResponse", "Guest", response=answer)
        if answer == "Accepted":
            t += 1
            trail.add(
                t,
                "AvGetMediaResult",
                "Guest",
                result=rng.choice(("Success", "Success", "NoCameraOnlyMic")),
                streamAvailable=True,
            )
            if rng.random() < 0.3:
                t += 30
                trail.add(t, "CobrowsingStarted", "User", userId=op.user_id)
            t += 60 + rng.random() * 400
            trail.add(t, "AvTerminated", "User", userId=op.user_id)
        return t

    def _extras(
        self,
        s: dict,
        trail: Trail,
        ph: Phrases,
        t: float,
        op: Operator,
        stop_at: float,
        *,
        web: bool,
    ) -> float:
        """Files, hero cards, invitations and forwards, each with some probability."""
        rng = self.rng
        rand = rng.random
        if t + 400 >= stop_at:
            return t
        sid = s["id"]
        if web and rand() < 0.12:
            t += 10 + rand() * 30
            name, size = T.FILE_NAMES[int(rand() * len(T.FILE_NAMES))]
            size += rng.randrange(-1000, 1000)
            by_guest = rand() < 0.7
            item = trail.add(t, "SharedFile", "Guest" if by_guest else "User")
            if not by_guest:
                item["userId"] = op.user_id
            item["file"] = _file(
                self.base,
                sid,
                item["activityId"],
                name,
                size,
                None if by_guest else op.user_id,
                rand() < 0.1,
            )
        if web and rand() < 0.08:
            t += 10
            card = trail.add(
                t, "HeroCard", "User", userId=op.user_id, originalFormId=200, heroCard=HERO_FIELDS
            )
            t += 20 + rand() * 60
            ok = rand() < 0.85
            trail.add(
                t,
                "HeroCardSubmission",
                "Guest",
                submissionOfActivityId=card["activityId"],
                submissionResult="Submitted" if ok else "Cancelled",
                submissionParams={
                    "email": ph.values["email"],
                    "order_number": ph.values["order"],
                    "reason": "order",
                }
                if ok
                else {},
                submissionIdentification=ph.values["email"] if ok else None,
            )
            if ok:
                s["guest"]["callParams"].setdefault("order_number", ph.values["order"])
        x = rand()
        if x < 0.07:
            other = OPERATORS[int(rand() * len(OPERATORS))]
            if other.user_id != op.user_id:
                t += 15
                trail.add(
                    t,
                    "OperatorInvited",
                    "User",
                    userId=op.user_id,
                    toOperatorUserId=other.user_id,
                    toOperatorFullName=other.full_name,
                )
                t += 10 + rand() * 30
                trail.add(t, "Joined", "User", userId=other.user_id)
                s["operators"].append(_op_entry(other, trail.items[-1]["time"]))
                t += 30 + rand() * 120
                trail.add(t, "ChatMessage", "User", userId=other.user_id, text=ph.answer())
        elif x < 0.16:
            to_group = rand() < 0.6
            target_group = 11 + int(rand() * 5)
            members = GROUP_MEMBERS[target_group]
            new_op = members[int(rand() * len(members))]
            if new_op.user_id == op.user_id:
                new_op = members[(members.index(new_op) + 1) % len(members)]
            t += 20
            fields: dict[str, Any] = {"userId": op.user_id, "note": rng.choice(T.FORWARD_NOTES)}
            if to_group:
                fields.update(toGroupId=target_group, toGroupName=GROUP_NAME[target_group])
            else:
                fields.update(toOperatorUserId=new_op.user_id, toOperatorFullName=new_op.full_name)
            trail.add(t, "SessionForwarded", "User", **fields)
            trail.add(t + 0.5, "Left", "User", userId=op.user_id)
            s["operators"][-1]["left"] = trail.items[-1]["time"]
            s["operators"][-1]["concluded"] = trail.items[-1]["time"]
            t += 15 + rand() * 90
            trail.add(t, "Joined", "User", userId=new_op.user_id)
            s["operators"].append(_op_entry(new_op, trail.items[-1]["time"]))
            t += 10
            trail.add(t, "ChatMessage", "User", userId=new_op.user_id, text=ph.answer())
        return t

    def _recordings(
        self, s: dict, operators: list[dict], started: float, ended: float, phone: bool, fmt: Any
    ) -> None:
        rng = self.rng
        length = max(1.0, ended - started)
        rate = 4000 if phone else 12000
        ext = "mp3" if phone else "webm"
        recs = []
        kinds = ["AllParticipants"] + (["Operator"] if rng.random() < 0.4 else [])
        if not phone and rng.random() < 0.2:
            kinds.append("ScreenSharing")
        for n, kind in enumerate(kinds):
            rec_id = s["id"] * 10 + n + 1
            recs.append(
                {
                    "id": rec_id,
                    "name": f"rec_{s['id']}_{n + 1}.{ext}",
                    "started": fmt(started),
                    "duration": duration(length),
                    "type": kind,
                    "userId": operators[0]["userId"] if kind == "Operator" else None,
                    "serviceId": 1 if phone else 2,
                    "downloadUrl": f"{self.base}/api/v1/Sessions/{s['id']}/recordings/{rec_id}",
                    "isUploading": False,
                    "isDeleted": rng.random() < 0.03,
                    "size": int(length * rate),
                }
            )
        s["recordings"] = recs
        age = self.now - ended
        state = (
            "Processing"
            if age < 600
            else ("FailedToProcess" if rng.random() < 0.02 else "Processed")
        )
        s["recordingsState"] = state


def _op_entry(op: Operator, joined: str) -> dict:
    return {
        "userId": op.user_id,
        "userName": op.username,
        "firstName": op.first,
        "lastName": op.last,
        "joined": joined,
        "left": None,
        "concluded": None,
        "note": None,
    }


def _reviewer(op: Operator, note: str) -> dict:
    return {
        "userId": op.user_id,
        "userName": op.username,
        "firstName": op.first,
        "lastName": op.last,
        "note": note,
    }


def _file(
    base: str, sid: int, fid: int, name: str, size: int, owner: int | None, deleted: bool
) -> dict:
    return {
        "id": fid,
        "operatorOwner": owner,
        "departmentOwner": None,
        "name": name,
        "downloadUrl": f"{base}/api/v1/Sessions/{sid}/files/{fid}",
        "isUploading": False,
        "isDeleted": deleted,
        "size": size,
    }


def _date_text(iso_text: str, en: bool) -> str:
    if en:
        return iso_text[:10]
    return f"{int(iso_text[8:10])}.{int(iso_text[5:7])}.{iso_text[:4]}"


def _uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


_PLAIN = str.maketrans("áčďéěíňóřšťúůýžÁČĎÉĚÍŇÓŘŠŤÚŮÝŽ", "acdeeinorstuuyzACDEEINORSTUUYZ")


def _plain(text: str) -> str:
    return text.translate(_PLAIN).lower()


def _make_hostile(s: dict, kind: int, base: str) -> None:
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
                "file": _file(base, s["id"], next_id, T.HOSTILE_FILE, 1234, None, False),
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


def now_utc() -> datetime:
    """Wall clock, whole seconds (used when no ``now`` is given)."""
    return datetime.now(UTC).replace(microsecond=0)
