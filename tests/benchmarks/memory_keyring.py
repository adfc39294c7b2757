"""A keyring that works and keeps nothing: the benchmarked app stores its token as it would in a
desktop keyring, so it shows no "Sign-in is not remembered" toast (which would vanish, and be
repainted, in the middle of a measurement). Chosen with
``PYTHON_KEYRING_BACKEND=tests.benchmarks.memory_keyring.MemoryKeyring``."""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self._secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self._secrets.pop((service, username), None) is None:
            raise PasswordDeleteError(username)
