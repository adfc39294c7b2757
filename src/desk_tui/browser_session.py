"""One browser tab's desk: what `desk-tui web` runs for every websocket (``python -m
desk_tui.browser_session`` with the terminal app's options).

A tab is not a desk of its own machine, so it keeps nothing of the machine running `web`, and
leaves nothing behind:

* **Sign-in tokens in memory only** (no keyring, no token file: ``DESK_BROWSER_TAB``, read by
  client/tokens.py). A token in the OS keyring of the machine running `web` would be found by
  the next tab, whoever opened it, and outlive the tab that signed in; so each tab asks for a
  PIN, and as the tab closes its desk signs out on the server (ui/session.py end_tab_sign_in),
  so the token is revoked there, not only forgotten here.
* **Its own cache, state and intent journal**, in a private temporary folder removed when the
  tab's desk ends: the machine's own desk opens on a calendar drawn from its cache for whoever
  signed in there last, and a tab must show nobody that before a PIN.

What configures a desk still applies: the machine's config.toml (copied in), DESK_* variables
(inherited), and the options `web` resolved and passes on (--server, --ca-bundle, --insecure,
--log: one support log with the machine's desks).
"""

from __future__ import annotations

import os
import shutil
import tempfile

from desk_tui.client.paths import Paths
from desk_tui.client.tokens import BROWSER_TAB

PREFIX = "desk-tui-browser-"


def main(argv: list[str] | None = None) -> int:
    machine = Paths.from_env()
    with tempfile.TemporaryDirectory(prefix=PREFIX) as home:
        os.environ["DESK_HOME"] = home
        os.environ[BROWSER_TAB] = "1"  # tokens in memory only (client/tokens.py)
        if machine.config_file.is_file():
            own = Paths.from_env()
            own.config_dir.mkdir(parents=True)
            shutil.copyfile(machine.config_file, own.config_file)
        from desk_tui.cli import main as desk

        return desk(argv)


if __name__ == "__main__":
    raise SystemExit(main())
