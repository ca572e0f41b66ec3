"""Small JSON parts of a generated session: operator/reviewer entries, files, ids and dates."""

from __future__ import annotations

import random

from .roster import Operator


def op_entry(op: Operator, joined: str) -> dict:
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


def reviewer_entry(op: Operator, note: str) -> dict:
    return {
        "userId": op.user_id,
        "userName": op.username,
        "firstName": op.first,
        "lastName": op.last,
        "note": note,
    }


def file_entry(base: str, sid: int, fid: int, name: str, owner: int | None, deleted: bool) -> dict:
    return {
        "id": fid,
        "operatorOwner": owner,
        "departmentOwner": None,
        "name": name,
        "downloadUrl": f"{base}/api/v1/Sessions/{sid}/files/{fid}",
        "isUploading": False,
        "isDeleted": deleted,
    }


def date_text(iso_text: str, en: bool) -> str:
    if en:
        return iso_text[:10]
    return f"{int(iso_text[8:10])}.{int(iso_text[5:7])}.{iso_text[:4]}"


def uuid_text(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


_PLAIN = str.maketrans("áčďéěíňóřšťúůýžÁČĎÉĚÍŇÓŘŠŤÚŮÝŽ", "acdeeinorstuuyzACDEEINORSTUUYZ")


def plain(text: str) -> str:
    """Lower case ASCII spelling of a Czech name (for e-mail addresses)."""
    return text.translate(_PLAIN).lower()
