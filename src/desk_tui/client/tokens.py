"""Sign-in tokens: in the OS keyring when one works, otherwise somewhere safe or nowhere.

A headless box reached over SSH has no keyring (no D-Bus): the ``fail`` backend raises on
every call, and the ``null`` backend silently forgets. Both count as "no keyring": the store
says so once (``warning``) and keeps tokens in memory for this run, or, only when the user
opted in, in a file created with mode 0600 from the first byte. Nothing here may crash the app
and no secret is ever written where other users can read it.

Which user signed in last is not a secret; it lives in a small state file so the next start
knows whose token to try.
"""

from __future__ import annotations

import json
import logging
import os

from desk_tui.client.paths import Paths
from desk_tui.files import read_json_object, write_atomically

log = logging.getLogger(__name__)

NO_KEYRING_WARNING = ("No keyring is available here (for example over SSH), so your sign-in is kept in memory "
                      "only and you will be asked for your PIN next time.")
FILE_WARNING = ("No keyring is available here (for example over SSH), so your sign-in is kept in a file that "
                "only your user account can read.")

#: set by ``desk_tui.browser_session`` for a browser tab's desk: the keyring there belongs to the
#: machine running `desk-tui web`, and a token in it would sign the next tab in, whoever opened it
BROWSER_TAB = "DESK_BROWSER_TAB"
BROWSER_TAB_WARNING = ("This browser tab keeps your sign-in only while it is open: a new tab asks for your PIN "
                       "again.")

_UNUSABLE_BACKENDS = {"keyring.backends.fail.Keyring", "keyring.backends.null.Keyring"}


def last_username(server_url: str, *, paths: Paths) -> str | None:
    """Who signed in last on this desk to that server; readable without a keyring, which takes
    a while to find (the app asks before its first frame)."""
    name = read_json_object(paths.last_user_file).get(server_url.rstrip("/"))
    return name if isinstance(name, str) and name else None


class TokenStore:
    def __init__(self, server_url: str, *, paths: Paths, allow_file: bool = False) -> None:
        self.server_url = server_url.rstrip("/")
        self.service = "desk-tui:" + self.server_url
        self._paths = paths
        self._state_file = paths.last_user_file
        self._token_file = paths.state_dir / "tokens.json"
        self._allow_file = allow_file
        self._memory: dict[str, str] = {}
        self.warning: str | None = None
        self._keyring = None
        self.tab_only = bool(os.environ.get(BROWSER_TAB))
        """A browser tab's desk: the sign-in lives only as long as the tab (the app signs out as it closes)."""
        if self.tab_only:
            self.backend_name, self._allow_file, self.warning = "not used (a browser tab)", False, BROWSER_TAB_WARNING
            return
        try:
            import keyring

            backend = keyring.get_keyring()
            self.backend_name = f"{type(backend).__module__}.{type(backend).__name__}"
            if self.backend_name in _UNUSABLE_BACKENDS:
                self._fall_back(f"the {self.backend_name} backend stores nothing")
            else:
                self._keyring = keyring
        except Exception as exc:
            self.backend_name = "unavailable"
            self._fall_back(f"keyring failed to load: {exc!r}")

    # -- fallbacks ---------------------------------------------------------------------------
    @property
    def using_keyring(self) -> bool:
        return self._keyring is not None

    @property
    def storage(self) -> str:
        """Where tokens go now, for ``desk-tui doctor``."""
        if self._keyring is not None:
            return f"keyring ({self.backend_name})"
        return f"file {self._token_file} (mode 0600)" if self._allow_file else "memory only"

    def _fall_back(self, why: str) -> None:
        if self._keyring is not None or self.warning is None:
            log.warning("no usable keyring (%s); tokens kept %s", why, "in a 0600 file" if self._allow_file
                        else "in memory only")
        self._keyring = None
        if self.warning is None:
            self.warning = FILE_WARNING if self._allow_file else NO_KEYRING_WARNING

    def _file_tokens(self) -> dict[str, str]:
        entry = read_json_object(self._token_file).get(self.server_url)
        return {k: v for k, v in entry.items() if isinstance(v, str)} if isinstance(entry, dict) else {}

    def _save_file_tokens(self, tokens: dict[str, str]) -> None:
        data = read_json_object(self._token_file)
        data[self.server_url] = tokens
        try:
            write_atomically(self._token_file, json.dumps(data))
        except OSError as exc:
            log.warning("could not write the token file: %s", exc)

    # -- the store ---------------------------------------------------------------------------
    def get(self, username: str) -> str | None:
        if self._keyring is not None:
            try:
                token: str | None = self._keyring.get_password(self.service, username)
                if token is not None:
                    return token
            except Exception as exc:
                self._fall_back(repr(exc))
        if username in self._memory:
            return self._memory[username]
        return self._file_tokens().get(username) if self._allow_file and self._keyring is None else None

    def set(self, username: str, token: str) -> None:
        self._memory[username] = token
        if self._keyring is not None:
            try:
                self._keyring.set_password(self.service, username, token)
                return
            except Exception as exc:
                self._fall_back(repr(exc))
        if self._allow_file:
            self._save_file_tokens({**self._file_tokens(), username: token})

    def delete(self, username: str) -> None:
        self._memory.pop(username, None)
        if self._keyring is not None:
            try:
                self._keyring.delete_password(self.service, username)
            except Exception as exc:
                log.debug("keyring delete for %s: %r", username, exc)
        if self._allow_file and self._token_file.exists():
            tokens = self._file_tokens()
            if tokens.pop(username, None) is not None:
                self._save_file_tokens(tokens)

    # -- who signed in last (not a secret) ---------------------------------------------------
    @property
    def last_username(self) -> str | None:
        return last_username(self.server_url, paths=self._paths)

    @last_username.setter
    def last_username(self, username: str | None) -> None:
        data = read_json_object(self._state_file)
        if username:
            data[self.server_url] = username
        else:
            data.pop(self.server_url, None)
        try:
            write_atomically(self._state_file, json.dumps(data), mode=0o644)
        except OSError as exc:
            log.warning("could not remember the last user: %s", exc)
