"""One Idempotency-Key per user intent, kept until the server has given a definitive answer.

A write that timed out may have been applied: the server may have booked the appointment and
only the answer was lost. Sending it again with a *new* key would book it twice; sending it
with the *same* key makes the server replay its first answer instead. So the client remembers
every write that has not had a definitive answer, in a small journal on disk (one file per
server and signed-in staff member, in the user data dir), and the same write sent again — a
retry after a timeout, after OFFLINE, after a reconnect or after the app was restarted — goes
with the key it had the first time.

"The same write" is what the server compares too: method, path with query, and body. The
journal keeps a fingerprint of those, never the body itself (it may hold a customer's name).

Definitive answers, which remove the entry: a 2xx (a replay included), and any 4xx the server
decided (a refusal changed nothing, so the next attempt is a new intent with a new key). Not
definitive, so the entry stays: no answer at all (timeout, connection lost, OFFLINE, the worker
cancelled mid-flight), a 5xx or 503, 401 (sign in again, then retry), 429, and 409
``request_in_progress``. Entries older than the server's key lifetime are dropped: after that
the server no longer knows the key, and reusing it would protect nothing.

Two deliberate identical presses (quick redeem twice): when the first was answered, the second
is a new intent. When the first never was, the second is taken as its retry — the safe side —
and its answer is a replay, which the UI says (``Written.replayed``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Generic, TypeVar

from desk_tui.contract.common import JSONObject
from desk_tui.contract.problems import ProblemCode
from desk_tui.files import read_json_object, write_atomically

log = logging.getLogger(__name__)

T = TypeVar("T")

KEY_LIFETIME = timedelta(hours=24)
"""How long the server promises to remember a key (docs/api.md: at least 24 h)."""

#: Refusals that did not settle anything: the same request may still be applied later.
_NOT_DEFINITIVE_STATUSES = {401, 408, 425, 429}


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Written(Generic[T]):
    """The server's answer to a write, and whether it was a replay of an earlier, unanswered
    attempt of the same intent (``Idempotent-Replayed: true``): then nothing changed now."""

    value: T
    replayed: bool = False


@dataclass(frozen=True)
class Intent:
    staff_id: str
    fingerprint: str
    key: str
    retry: bool
    """True when an earlier attempt of this very write is still unanswered."""


def fingerprint(method: str, target: bytes, body: bytes) -> str:
    """What makes two writes the same intent: method, path with query, body (as the server sees them)."""
    digest = hashlib.sha256()
    for part in (method.upper().encode(), target):
        digest.update(part + b"\0")
    digest.update(body)
    return digest.hexdigest()


def is_definitive(status: int | None, code: str = "") -> bool:
    """Did an error answer settle the intent (True), or may the write still be applied (False)?"""
    if status is None or status >= 500 or status in _NOT_DEFINITIVE_STATUSES:
        return False
    return not (status == 409 and code == ProblemCode.REQUEST_IN_PROGRESS)


class IntentJournal:
    """The unanswered writes of one server, per staff member; ``dir=None`` keeps them in memory."""

    def __init__(self, dir: Path | None, server_id: str, *, lifetime: timedelta = KEY_LIFETIME,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.dir = Path(dir) if dir is not None else None
        self.server_id = server_id
        self.lifetime = lifetime
        self._clock = clock
        self._memory: dict[str, dict[str, JSONObject]] = {}

    def _file(self, staff_id: str) -> Path | None:
        if self.dir is None:
            return None
        name = hashlib.sha256(f"{self.server_id}\0{staff_id}".encode()).hexdigest()[:32]
        return self.dir / f"{name}.json"

    def _load(self, staff_id: str) -> dict[str, JSONObject]:
        """The live entries, fingerprint → {key, at, what}. Read from disk each time: another
        desk-tui of the same user (support over SSH) may have written since."""
        file = self._file(staff_id)
        if file is None:
            entries = self._memory.setdefault(staff_id, {})
        else:
            data = read_json_object(file)
            same = data.get("server") == self.server_id and data.get("staff") == staff_id
            raw = data.get("intents") if same else None
            entries = {k: v for k, v in raw.items() if _valid(v)} if isinstance(raw, dict) else {}
        oldest = self._clock() - self.lifetime
        for fp in [fp for fp, e in entries.items() if _at(e) < oldest]:
            log.info("dropping unanswered %s from %s: older than the server keeps keys", entries[fp]["what"],
                     entries[fp]["at"])
            del entries[fp]
        return entries

    def _save(self, staff_id: str, entries: dict[str, JSONObject]) -> None:
        file = self._file(staff_id)
        if file is None:
            return
        try:
            if entries:
                write_atomically(file, json.dumps({"server": self.server_id, "staff": staff_id,
                                                   "intents": entries}, indent=1))
            else:
                file.unlink(missing_ok=True)
        except OSError as exc:
            # Keep going in memory: retries in this run still reuse their keys; only a restart
            # would forget them, which is what the disk failure costs.
            log.warning("could not write the intent journal %s (%s); keeping it in memory", file, exc)
            self.dir = None
            self._memory[staff_id] = entries

    def open(self, staff_id: str, fingerprint: str, what: str) -> Intent:
        """The key for this write: the one it had, if an earlier attempt is still unanswered,
        else a new one, written down *before* the request leaves."""
        entries = self._load(staff_id)
        entry = entries.get(fingerprint)
        if entry is not None:
            log.info("%s: an earlier attempt (%s) got no definitive answer; sending it again with its key",
                     what, entry["at"])
            return Intent(staff_id, fingerprint, entry["key"], retry=True)
        key = new_idempotency_key()
        entries[fingerprint] = {"key": key, "at": self._clock().isoformat(), "what": what}
        self._save(staff_id, entries)
        return Intent(staff_id, fingerprint, key, retry=False)

    def settle(self, intent: Intent) -> None:
        """The server answered definitively: the next identical write is a new intent."""
        entries = self._load(intent.staff_id)
        if entries.pop(intent.fingerprint, None) is not None:
            self._save(intent.staff_id, entries)

    def pending(self, staff_id: str) -> list[str]:
        """What is still unanswered for this staff member ("POST /v1/appointments", …), oldest first."""
        entries = self._load(staff_id)
        return [e["what"] for e in sorted(entries.values(), key=_at)]


def _valid(entry: object) -> bool:
    if not isinstance(entry, dict) or not isinstance(entry.get("key"), str) or not isinstance(entry.get("what"), str):
        return False
    try:
        _at(entry)
    except (TypeError, ValueError):
        return False
    return True


def _at(entry: JSONObject) -> datetime:
    at = datetime.fromisoformat(entry["at"])
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
