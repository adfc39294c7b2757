"""Small files kept on disk — the client's tokens, cache entries and unanswered intents, the
embedded demo server's state file — written whole or not at all. A leaf module both the app and
the embedded server import.

Every writer goes through :func:`write_atomically`: the text goes to a temporary file in the
same folder, which is then renamed over the old one, so a crash or a full disk never leaves
half a file for the next start to trip over. The temporary file is created with the final
mode from the first byte (mkstemp makes it 0600), so a secret is never readable by others,
not even for a moment.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desk_tui.contract.common import JSONObject


def write_atomically(path: Path, text: str, *, mode: int = 0o600) -> None:
    """Replace ``path`` with ``text`` in one rename; raises OSError (nothing is left behind)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        if mode != 0o600:
            os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_json_object(path: Path) -> JSONObject:
    """The JSON object in ``path``; an absent, unreadable or corrupt file counts as empty."""
    try:
        data = json.loads(path.read_text("utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}
