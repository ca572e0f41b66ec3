"""The event log in Redis Streams, so several relays behind a load balancer share one ordered log
and one dedup set (DESIGN.md "The relay and growing past one machine").

Keys (one hash tag, so they live in one cluster slot): ``{P}:events`` the stream, ``{P}:seq`` the
counter, ``{P}:dedup:<key>`` dedup markers with a TTL, ``{P}:log-id``. One Lua script does
SET NX + INCR + XADD atomically, with the explicit entry id ``<seq>-0``: the stream entry id IS
the sequence number consoles resume from, strictly increasing across every relay. ``MAXLEN ~``
keeps the window. Each relay tails the stream (XREAD BLOCK): it fans out every relay's events.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from mluvii_tui.live.relay.log import LogEntry, StoreError

_APPEND = """
if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return 0 end
local seq = redis.call('INCR', KEYS[2])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[2], seq .. '-0', 't', ARGV[3], 'b', ARGV[4])
return seq
"""


def _public(url: str) -> str:
    """The URL without a password, for /health and messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


class RedisLog:
    kind = "redis"

    def __init__(self, client: aioredis.Redis, where: str, prefix: str, window: int) -> None:
        self._r = client
        self.where = where
        self.window = window
        self._events = f"{{{prefix}}}:events"
        self._seq = f"{{{prefix}}}:seq"
        self._dedup = f"{{{prefix}}}:dedup:"
        self._id_key = f"{{{prefix}}}:log-id"
        self._append = client.register_script(_APPEND)
        self.log_id = ""

    @classmethod
    async def open(cls, url: str, *, window: int, prefix: str = "mluvii-tui") -> RedisLog:
        where = _public(url)
        try:
            client = aioredis.from_url(
                url, decode_responses=True, protocol=2, socket_connect_timeout=3
            )
            log = cls(client, where, prefix, window)
            await client.set(log._id_key, uuid.uuid4().hex, nx=True)
            log.log_id = str(await client.get(log._id_key) or "")
        except (RedisError, OSError, ValueError) as exc:
            raise StoreError(f"cannot use the event log {where}: {_reason(exc)}") from None
        return log

    async def seen(self, dedup_key: str) -> bool:
        try:
            return bool(await self._r.exists(self._dedup + dedup_key))
        except RedisError as exc:
            raise StoreError(f"event log {self.where}: {_reason(exc)}") from None

    async def append(self, event_type: str, body: str, dedup_key: str, ttl: float) -> int | None:
        keys = [self._dedup + dedup_key, self._seq, self._events]
        args: list[str | int] = [max(1, int(ttl * 1000)), self.window, event_type, body]
        try:
            seq = int(await self._append(keys=keys, args=args))
        except RedisError as exc:
            raise StoreError(f"event log {self.where}: {_reason(exc)}") from None
        return seq or None

    async def read_after(self, seq: int, limit: int) -> list[LogEntry]:
        try:
            items: Any = await self._r.xrange(self._events, min=f"({seq}-0", count=limit)
        except RedisError as exc:
            raise StoreError(f"event log {self.where}: {_reason(exc)}") from None
        return [_entry(entry_id, fields) for entry_id, fields in items]

    async def read_type_after(self, event_type: str, seq: int, limit: int) -> list[LogEntry]:
        """Redis cannot filter a stream by field: page through it (only at start-up)."""
        found: list[LogEntry] = []
        while len(found) < limit:
            page = await self.read_after(seq, 1000)
            if not page:
                break
            found.extend(e for e in page if e.event_type == event_type)
            seq = page[-1].seq
        return found[:limit]

    async def wait_after(self, seq: int, timeout: float, limit: int) -> list[LogEntry]:
        try:
            answer: Any = await self._r.xread(
                {self._events: f"{seq}-0"}, count=limit, block=max(1, int(timeout * 1000))
            )
        except RedisError as exc:
            raise StoreError(f"event log {self.where}: {_reason(exc)}") from None
        entries: list[LogEntry] = []
        for _stream, items in answer or []:
            entries.extend(_entry(entry_id, fields) for entry_id, fields in items)
        return entries

    async def bounds(self) -> tuple[int, int]:
        try:
            first: Any = await self._r.xrange(self._events, count=1)
            last = int(await self._r.get(self._seq) or 0)
        except RedisError as exc:
            raise StoreError(f"event log {self.where}: {_reason(exc)}") from None
        return (_seq_of(first[0][0]) if first else 0), last

    async def check(self) -> str:
        try:
            await self._r.ping()
        except RedisError as exc:
            return f"error: {_reason(exc)}"
        return "ok"

    async def close(self) -> None:
        await self._r.aclose()


def _seq_of(entry_id: str) -> int:
    return int(entry_id.partition("-")[0])


def _entry(entry_id: str, fields: dict[str, Any]) -> LogEntry:
    return LogEntry(_seq_of(entry_id), fields.get("t", ""), fields.get("b", "{}"))


def _reason(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
