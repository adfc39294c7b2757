"""Notices shown once per machine, not at every start.

The "sign-in is not remembered" notice is true of the machine, not of the run: a desk reached
over SSH has no keyring today and tomorrow, and a toast repeating it at every start covers the
calendar for nothing. What was shown is remembered in the client's state folder (platformdirs,
the same folder as the last user's name), by name and wording: should the situation change (a
token file instead of memory), the new sentence is shown once in its turn.
"""

from __future__ import annotations

import json

from desk_tui.client.paths import Paths
from desk_tui.files import read_json_object, write_atomically

NOTICES_FILE = "notices-shown.json"


def first_showing(paths: Paths, name: str, text: str) -> bool:
    """True the first time ``text`` is due under ``name`` on this machine, and records it as
    shown; False afterwards. A folder that cannot be written means it is shown again next time
    (better than never)."""
    path = paths.state_dir / NOTICES_FILE
    shown = read_json_object(path)
    if shown.get(name) == text:
        return False
    shown[name] = text
    try:
        write_atomically(path, json.dumps(shown, indent=2, ensure_ascii=False) + "\n", mode=0o644)
    except OSError:
        pass
    return True

