"""Activity parts of a served session: phone calls, AV calls, files, hero cards, invitations,
forwards and recordings. Each draws from the session's random stream in a fixed order."""

from __future__ import annotations

import random
from typing import Any

from . import texts as T
from .entries import file_entry, op_entry
from .roster import GROUP_MEMBERS, GROUP_NAME, OPERATORS, Operator
from .timefmt import duration
from .transcript import CALL_SCRIPT_FIELDS, HERO_FIELDS, Phrases, Trail


def phone_call(rng: random.Random, trail: Trail, op: Operator, t: float, stop_at: float) -> float:
    """A phone call: a call script (maybe submitted) or plain talk, maybe a hold."""
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


def av_call(rng: random.Random, trail: Trail, op: Operator, t: float) -> float:
    """An AV request, the guest's answer and, if accepted, the call until it ends."""
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


def session_extras(
    rng: random.Random,
    base: str,
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
    rand = rng.random
    if t + 400 >= stop_at:
        return t
    sid = s["id"]
    if web and rand() < 0.12:
        t += 10 + rand() * 30
        name = T.FILE_NAMES[int(rand() * len(T.FILE_NAMES))][0]
        rng.randrange(-1000, 1000)  # was the size; kept so that the random stream stays the same
        by_guest = rand() < 0.7
        item = trail.add(t, "SharedFile", "Guest" if by_guest else "User")
        if not by_guest:
            item["userId"] = op.user_id
        item["file"] = file_entry(
            base,
            sid,
            item["activityId"],
            name,
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
            s["operators"].append(op_entry(other, trail.items[-1]["time"]))
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
        s["operators"].append(op_entry(new_op, trail.items[-1]["time"]))
        t += 10
        trail.add(t, "ChatMessage", "User", userId=new_op.user_id, text=ph.answer())
    return t


def recordings(
    rng: random.Random,
    base: str,
    now: float,
    s: dict,
    operators: list[dict],
    started: float,
    ended: float,
    phone: bool,
    fmt: Any,
) -> None:
    """Set the recordings (whole call, maybe operator and screen) and their processing state."""
    length = max(1.0, ended - started)
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
                "downloadUrl": f"{base}/api/v1/Sessions/{s['id']}/recordings/{rec_id}",
                "isUploading": False,
                "isDeleted": rng.random() < 0.03,
            }
        )
    s["recordings"] = recs
    age = now - ended
    state = (
        "Processing" if age < 600 else ("FailedToProcess" if rng.random() < 0.02 else "Processed")
    )
    s["recordingsState"] = state
