"""From what the API sent to store records: the kept JSON, its content hash, the columns.

``decode_page`` is the sync's hot path: msgspec cuts a page into each session's bytes as
received (kept as they are, hashed) and decodes each into a ``wire.Session``;
``prepare_batch`` does the same for decoded items (orjson encodes each once). ``build`` reads
the fields of a new or changed session: ``fastrecord`` on the hot path, pydantic
(``parse_session``) for shapes it does not know. Sessions given as models (the live sync) are
kept as their API dump.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from .fastrecord import Unsupported, fast_record, struct_record
from .rows import SessionRecord, build_record, content_hash, raw_json
from .upsert import short_id, why_not_stored
from .wire import PAGE, SESSION, Session, WireError

if TYPE_CHECKING:
    from ..api.models import SessionModel


@dataclass(slots=True)
class Kept:
    id: int
    raw: bytes
    hash: int
    #: a decoded session (a ``wire.Session`` on the hot path, a dict of JSON values, a model of
    #: the live sync) or its record, built already
    item: Session | dict[str, Any] | SessionModel | SessionRecord


@dataclass
class PreparedBatch:
    kept: list[Kept] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # one line per item that was skipped


def _dumps(item: dict[str, Any]) -> bytes:
    try:
        return orjson.dumps(item)
    except TypeError:  # what orjson refuses (a lone surrogate, a huge integer): the standard way
        return json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode(
            "utf-8", "surrogatepass"
        )


def prepare_batch(items: Iterable[Any]) -> PreparedBatch:
    """Each item's id, kept JSON and hash; a later copy of the same id wins."""
    out = PreparedBatch()
    by_id: dict[int, Kept] = {}
    for item in items:
        sid: Any
        received: bytes | None = None  # the JSON as received (decode_page's), kept as it is
        if item.__class__ is tuple:  # decode_page's (wire.Session, its bytes)
            item, received = item[0], bytes(item[1])
            sid = item.id
        else:
            sid = item.get("id") if isinstance(item, dict) else None
            if sid.__class__ is not int:  # a model (the live sync), an id as text, no session
                model = _as_model(item)
                if model is None:
                    out.problems.append("not a session (no usable id)")
                    continue
                item, sid = model, model.id
        if not -(2**63) <= sid < 2**63:
            out.problems.append(f"session {short_id(sid)}: id too large for the local store")
            continue
        try:
            raw = received or (_dumps(item) if isinstance(item, dict) else raw_json(item))
        except Exception as exc:  # a value not even the standard encoder writes
            out.problems.append(f"session {short_id(sid)}: {why_not_stored(exc)}")
            continue
        by_id[sid] = Kept(sid, raw, content_hash(raw), item)
    out.kept = list(by_id.values())
    return out


def decode_page(data: bytes) -> list[Any]:
    """A page's items for ``prepare_batch``: each session as (its ``wire.Session``, its bytes as
    received), or decoded as JSON values when it does not fit (for the exact path). ``WireError``:
    the page is no JSON array msgspec reads (the caller decodes it another way)."""
    items: list[Any] = []
    for raw in PAGE.decode(data):
        try:
            items.append((SESSION.decode(raw), raw))
        except WireError:
            items.append(json.loads(bytes(raw)))  # for the exact path (integers of any size)
    return items


def _as_model(item: Any) -> SessionModel | None:
    """``item`` as a model (itself when it is one); None: not a session. Only here is pydantic
    loaded: the sync's sessions, dicts with an integer id, never come here (the sync process
    loads no pydantic)."""
    from ..api.models import SessionModel, parse_session

    return item if isinstance(item, SessionModel) else parse_session(item)


def build(kept: Kept) -> SessionRecord:
    """The store record of a prepared session."""
    item = kept.item
    if isinstance(item, SessionRecord):
        return item
    if isinstance(item, Session):
        try:
            return struct_record(item, kept.raw, kept.hash)
        except Unsupported:
            item = json.loads(kept.raw)  # the exact path reads it as a dict
    if isinstance(item, dict):
        try:
            return fast_record(item, kept.raw, kept.hash)
        except Unsupported:
            from ..api.models import parse_session

            model = parse_session(item)
            assert model is not None  # it has an integer id
            item = model
    rec = build_record(item)
    rec.raw, rec.hash = kept.raw, kept.hash
    return rec


def build_batch(batch: PreparedBatch) -> None:
    """Build every session's record in place (for a writer in another process): each decoded
    dict is let go as soon as its record stands. One that cannot be built is skipped with its
    reason."""
    kept = batch.kept
    for n, one in enumerate(kept):
        try:
            kept[n] = Kept(one.id, one.raw, one.hash, build(one))
        except Exception as exc:  # an odd value the extraction did not foresee
            batch.problems.append(f"session {short_id(one.id)}: {why_not_stored(exc)}")
            kept[n] = None  # type: ignore[call-overload]
        del one
    batch.kept = [k for k in kept if k is not None]


def record_tuple(rec: SessionRecord) -> tuple[Any, ...]:
    """What crosses the pipe to the writing process (``record_from_tuple`` there). The message
    texts go as one string, joined as the search index joins them (``index_terms`` and its text
    column): one object instead of a tuple of two per message. Marshalling the simulator's
    sessions on the two sides took ~28 us a session with the tuples, ~15 with the string."""
    return (
        rec.id,
        rec.values,
        rec.raw,
        rec.hash,
        rec.language,
        rec.params,
        rec.operators,
        "\n".join([text for _, text in rec.texts if text]),
        rec.terms,
    )


def record_from_tuple(sent: tuple[Any, ...]) -> SessionRecord:
    """The record ``record_tuple`` sent: its texts one joined string (the store only indexes
    them; the kept JSON has each message), tags none (``sessions.tags`` has them, schema v5)."""
    sid, values, raw, hashed, language, params, operators, joined, terms = sent
    texts = [(0, joined)] if joined else []
    return SessionRecord(sid, values, raw, hashed, language, params, operators, [], texts, terms)


def analyse_until(batch: PreparedBatch, stop: threading.Event) -> int:
    """Give the built records of ``batch`` their search index terms (``index_terms``), one by
    one until ``stop`` is set: the sync's parsing process does it while it would otherwise wait
    for the writing process, which then has less to do. Returns how many it analysed."""
    from ..query.search import index_terms

    done = 0
    for kept in batch.kept:
        if stop.is_set():
            break
        rec = kept.item
        if isinstance(rec, SessionRecord) and rec.texts and rec.terms is None:
            rec.terms = index_terms([text for _, text in rec.texts if text])
            done += 1
    return done


def message_texts(raw: bytes | None) -> list[str]:
    """The message texts of a session's kept JSON (what the search index holds), [] if none."""
    if raw is None:
        return []
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        try:
            data = json.loads(raw)
        except ValueError:
            return []
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        return []
    try:
        rec = build(Kept(data["id"], raw, 0, data))
    except Exception:  # a session the store could not read either
        return []
    return [text for _, text in rec.texts]
