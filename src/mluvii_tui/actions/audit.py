"""The audit log: one JSON line per action (time, profile, user, action, target, request id,
result, reason) in the profile's state dir (``config.paths.audit_log_path``), mode 0600."""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from mluvii_tui.config.paths import audit_log_path, private_file
from mluvii_tui.text import one_line


@dataclass(frozen=True)
class AuditEntry:
    time: str
    profile: str
    user: str
    action: str
    target: str
    request_id: str
    result: str  # done | refused | unknown
    reason: str = ""


class AuditLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    @classmethod
    def for_profile(cls, profile: str) -> AuditLog:
        return cls(audit_log_path(profile))

    def write(self, entry: AuditEntry) -> None:
        line = json.dumps(asdict(entry), ensure_ascii=False)
        with self._lock:
            private_file(self.path)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(line + "\n")

    def record(
        self,
        *,
        profile: str,
        user: str,
        action: str,
        target: str,
        request_id: str,
        result: str,
        reason: str = "",
    ) -> AuditEntry:
        entry = AuditEntry(
            time=datetime.now(UTC).isoformat(timespec="seconds"),
            profile=profile,
            user=user,
            action=action,
            target=target,
            request_id=request_id,
            result=result,
            reason=one_line(reason, 300),
        )
        self.write(entry)
        return entry

    def entries(self, limit: int = 1000) -> list[AuditEntry]:
        """The newest ``limit`` entries, newest first; damaged lines are skipped."""
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8", errors="replace") as f:
            lines = f.readlines()[-limit:]
        out: list[AuditEntry] = []
        fields = AuditEntry.__dataclass_fields__
        for line in reversed(lines):
            try:
                data = json.loads(line)
                out.append(AuditEntry(**{k: str(data.get(k, "")) for k in fields}))
            except (ValueError, TypeError):
                continue
        return out
