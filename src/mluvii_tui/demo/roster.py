"""The simulated tenant: company, departments, 25 operators in 5 groups, a chatbot.

Users, groups and operator states are produced as the API's JSON (UserModel, GroupModel,
OperatorStateModel), deterministically from a seed and a ``now``.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

from .texts import BREAK_NAMES, GROUP_NAMES, OPERATOR_NAMES
from .timefmt import iso

COMPANY_ID = 1001
DEPARTMENT_ID = 2001
SECOND_DEPARTMENT_ID = 2002
CHATBOT_ID = 901
CHATBOT_NAME = "Mluvii Bot"
ALL_OPERATORS_GROUP_ID = 10
CHATBOT_GROUP_ID = 16
ADMIN_USER_ID = 100
#: Where generated download URLs point; the server rewrites it to its own address.
SIM_ORIGIN = "http://simulator.invalid"


@dataclass(frozen=True)
class Operator:
    user_id: int
    username: str
    first: str
    last: str
    group_id: int

    @property
    def full_name(self) -> str:
        return f"{self.first} {self.last}"


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


OPERATORS: tuple[Operator, ...] = tuple(
    Operator(101 + i, f"{_ascii(first)}.{_ascii(last)}", first, last, 11 + i // 5)
    for i, (first, last) in enumerate(OPERATOR_NAMES)
)
OPERATOR_BY_ID: dict[int, Operator] = {op.user_id: op for op in OPERATORS}
GROUPS: tuple[tuple[int, str], ...] = tuple((11 + i, name) for i, name in enumerate(GROUP_NAMES))
GROUP_NAME: dict[int, str] = dict(GROUPS)
GROUP_MEMBERS: dict[int, tuple[Operator, ...]] = {
    gid: tuple(op for op in OPERATORS if op.group_id == gid) for gid, _ in GROUPS
}
ENGLISH_GROUP_ID = 15


def users_json() -> list[dict]:
    """UserModel[]: an administrator plus the 25 operators."""
    users = [
        {
            "id": ADMIN_USER_ID,
            "firstName": "Demo",
            "lastName": "Admin",
            "username": "demo-admin",
            "email": "admin@example-shop.cz",
            "note": "Správce tenantu",
            "enabled": True,
            "departments": [DEPARTMENT_ID, SECOND_DEPARTMENT_ID],
            "groups": [ALL_OPERATORS_GROUP_ID],
            "globalRoles": ["CompanyAdmin"],
        }
    ]
    for op in OPERATORS:
        users.append(
            {
                "id": op.user_id,
                "firstName": op.first,
                "lastName": op.last,
                "username": op.username,
                "email": f"{op.username}@example-shop.cz",
                "note": "Vedoucí skupiny" if op.user_id % 5 == 1 else None,
                "enabled": op.user_id != 124,
                "departments": [DEPARTMENT_ID, SECOND_DEPARTMENT_ID],
                "groups": [ALL_OPERATORS_GROUP_ID, op.group_id],
                "globalRoles": [],
            }
        )
    return users


def groups_json(now_ts: float) -> list[dict]:
    """GroupModel[]: the five operator groups, the all-operators group and the chatbot group."""
    created = iso(now_ts - 400 * 86400)
    out = [
        {
            "id": ALL_OPERATORS_GROUP_ID,
            "name": "Všichni operátoři",
            "created": created,
            "type": "ALL_OPERATORS",
            "departmentId": DEPARTMENT_ID,
        }
    ]
    out += [
        {
            "id": gid,
            "name": name,
            "created": created,
            "type": "NORMAL",
            "departmentId": DEPARTMENT_ID,
        }
        for gid, name in GROUPS
    ]
    out.append(
        {
            "id": CHATBOT_GROUP_ID,
            "name": CHATBOT_NAME,
            "created": created,
            "type": "CHATBOT",
            "departmentId": DEPARTMENT_ID,
        }
    )
    return out


def operator_states_json(seed: int, now_ts: float) -> list[dict]:
    """OperatorStateModel[] for every operator, deterministic for (seed, now)."""
    rng = random.Random(seed * 7919 + 17)
    kinds = ("ONLINE", "ONLINE", "ON_CALL", "AFTER_CALL", "AWAY", "BREAK", "OFFLINE", "ONLINE")
    out = []
    for op in OPERATORS:
        kind = rng.choice(kinds)
        state: dict = {
            "userId": op.user_id,
            "stateKind": kind,
            "breakStateId": None,
            "breakStateName": None,
            "isBreakStatePaid": None,
            "note": None,
            "changed": iso(now_ts - rng.randint(30, 4 * 3600)),
            "forced": False,
        }
        if kind == "BREAK":
            idx = rng.randrange(len(BREAK_NAMES))
            state.update(
                breakStateId=idx + 1, breakStateName=BREAK_NAMES[idx], isBreakStatePaid=idx != 0
            )
        elif kind == "AWAY":
            state["note"] = rng.choice(("Oběd", "Lékař", "Zpět za 10 minut"))
        out.append(state)
    return out
