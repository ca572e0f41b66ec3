"""Assembly of one generated session: guest and call parameters, the session's life from
welcome to termination (queue, bot, operator, outcome, tags, feedback) and its closing fields."""

from __future__ import annotations

import random
from bisect import bisect_right
from typing import Any

from . import texts as T
from .activities import av_call, phone_call, recordings, session_extras
from .entries import date_text, op_entry, plain, reviewer_entry, uuid_text
from .hostile import make_hostile
from .roster import (
    CHATBOT_ID,
    CHATBOT_NAME,
    COMPANY_ID,
    DEPARTMENT_ID,
    ENGLISH_GROUP_ID,
    GROUP_MEMBERS,
    OPERATORS,
    SECOND_DEPARTMENT_ID,
)
from .timefmt import CEST, CET, duration, iso_formatter, prague_tz
from .traffic import (
    CHANNEL_CUM,
    CHANNEL_SOURCES,
    DIAL_FAILURES,
    MESSAGING,
    OS_BROWSER,
    PHONE_REASONS,
)
from .transcript import Phrases, Trail, bot_phase, conversation


class SessionBuilder:
    """Builds one session dict after another from a shared random stream."""

    def __init__(self, rng: random.Random, now_ts: float, base_url: str) -> None:
        self.rng = rng
        self.now = now_ts
        self.base = base_url
        self.formatters = (iso_formatter(CET), iso_formatter(CEST))

    def session(
        self,
        sid: int,
        t0: float,
        live: str | None,
        hostile: int | None,
        kind: tuple[str, str] | None = None,
    ) -> dict:
        """One session; ``kind`` forces (channel, source). ``last_phrases`` keeps its phrase
        book, so that the live tenant can continue the conversation in the same topic."""
        rng = self.rng
        rand = rng.random
        if hostile is not None:
            channel, source = "Chat", "Default"
        elif kind is not None:
            channel, source = kind
        else:
            channel, source, _ = CHANNEL_SOURCES[
                bisect_right(CHANNEL_CUM, rand() * CHANNEL_CUM[-1])
            ]
        tz = prague_tz(t0)
        fmt = self.formatters[tz is CEST]

        x = rand()
        lang = "en" if x < 0.17 else ("sk" if x < 0.22 else "cs")
        en = lang == "en"
        first = rng.choice(T.GUEST_FIRST_EN if en else T.GUEST_FIRST_CS)
        last = rng.choice(T.GUEST_LAST_EN if en else T.GUEST_LAST_CS)
        email = f"{plain(first)}.{plain(last)}{rng.randrange(100)}@example.{'com' if en else 'cz'}"
        phone = f"+420{rng.randrange(600000000, 799999999)}"
        order = f"OBJ{rng.randrange(1000000, 9999999)}"
        values = {
            "order": order,
            "invoice": f"FV{rng.randrange(2024000, 2026999)}",
            "amount": f"{rng.randrange(99, 25000):,}".replace(",", " "),
            "date": date_text(fmt(t0 + rng.randrange(-5, 6) * 86400), en),
            "email": email,
            "num": str(rng.randrange(10000, 99999)),
        }
        ph = Phrases(rng, lang, values)
        self.last_phrases = ph
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
            "trackedId": uuid_text(rng) if web else None,
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
            make_hostile(s, hostile, self.base)
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
        operators.append(op_entry(op, fmt(t)))
        trail.add(t, "Joined", "User", userId=op.user_id)
        stop_at = {"ACTIVE": now - 2, "ACW": now - 200}.get(live or "", float("inf"))
        gap_scale = 12.0 if live else 40.0
        av = channel == "AV" or (channel == "Chat" and source == "Default" and rand() < 0.05)
        if phone:
            t = phone_call(rng, trail, op, t, stop_at)
        else:
            if av and not live:
                t = av_call(rng, trail, op, t)
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
        t = session_extras(rng, self.base, s, trail, ph, t, op, stop_at, web=s["url"] is not None)
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
            s["reviewers"] = [reviewer_entry(OPERATORS[int(rand() * 5) * 5], "Zkontrolováno.")]
        if channel != "Chat" or av:
            recordings(rng, self.base, now, s, operators, started, ended, phone, fmt)
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
