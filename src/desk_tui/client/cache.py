"""The on-disk cache that lets screens draw before the network answers and keep working offline.

Entries are raw response bodies plus their ETag, keyed by (server, signed-in location, path and
query): the same path means different data at another location or server. A memory layer
answers repeated reads without touching the disk. The cache is an optimisation and a fallback,
never the truth: unreadable or corrupt files count as missing, and a failed write is logged and
forgotten. Writes are atomic (desk_tui.files.write_atomically), so a crash never leaves half a file.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from desk_tui.files import write_atomically

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CacheEntry:
    body: bytes
    etag: str | None


def cache_key(server: str, location: str | None, path: str, params: Mapping[str, object] | None = None) -> str:
    query = urlencode(sorted((k, str(v)) for k, v in (params or {}).items() if v is not None))
    return f"{server.rstrip('/')}|{location or '-'}|{path}{'?' + query if query else ''}"


class Cache:
    def __init__(self, dir: Path) -> None:
        self.dir = Path(dir)
        self._memory: dict[str, CacheEntry] = {}

    def _file(self, key: str) -> Path:
        return self.dir / (hashlib.sha256(key.encode()).hexdigest()[:40] + ".json")

    def get(self, key: str) -> CacheEntry | None:
        entry = self._memory.get(key)
        if entry is not None:
            return entry
        try:
            data = json.loads(self._file(key).read_text("utf-8"))
            if data.get("key") != key or not isinstance(data.get("body"), str):
                return None
            etag = data.get("etag")
            entry = CacheEntry(body=data["body"].encode("utf-8"), etag=etag if isinstance(etag, str) else None)
        except (OSError, ValueError, AttributeError, TypeError):
            return None
        self._memory[key] = entry
        return entry

    def put(self, key: str, body: bytes, etag: str | None) -> None:
        entry = CacheEntry(body=bytes(body), etag=etag)
        self._memory[key] = entry
        try:
            text = json.dumps({"key": key, "etag": etag, "body": entry.body.decode("utf-8")})
            write_atomically(self._file(key), text)
        except (OSError, UnicodeDecodeError) as exc:
            log.warning("could not write the cache entry for %s: %s", key, exc)

    def forget(self, key: str) -> None:
        self._memory.pop(key, None)
        self._file(key).unlink(missing_ok=True)
