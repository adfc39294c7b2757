"""Keyrings for tests, so no test touches a real one: one that works (a dict, as a desktop's
Secret Service would), and one whose every call raises (a locked keyring, D-Bus gone).

The benchmarks choose the working one for the app they start with
``PYTHON_KEYRING_BACKEND=tests.support.keyrings.DictKeyring``: the token is stored as in a desktop
keyring, so no "Sign-in is not remembered" toast appears (and repaints) in a measurement."""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.errors import KeyringError, PasswordDeleteError


class DictKeyring(KeyringBackend):
    """A working keyring that lives in a dict, so tests never touch a real one."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.store.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


class BrokenKeyring(KeyringBackend):
    """Like a keyring whose D-Bus went away: every call raises."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def get_password(self, service: str, username: str) -> str | None:
        self.calls += 1
        raise KeyringError("the keyring is locked and cannot be unlocked")

    def set_password(self, service: str, username: str, password: str) -> None:
        self.calls += 1
        raise KeyringError("the keyring is locked and cannot be unlocked")

    def delete_password(self, service: str, username: str) -> None:
        self.calls += 1
        raise KeyringError("the keyring is locked and cannot be unlocked")
