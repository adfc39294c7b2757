"""Shots taken at one fixed instant: the server's clock pinned, a keyring that works quietly.

Dates on screen (expiry, "in 12 days", the month of membership credits) come from the server's
``utcnow``; pinning it in every loaded server module, and the app's clock to the same instant,
makes a snapshot the same on every day it runs.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest

import desk_tui.server.cards.demo
import desk_tui.server.demo  # noqa: F401
from tests.support.keyrings import DictKeyring

FIXED = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)  # a Monday, 09:30 in Budapest


@contextmanager
def pinned_clock() -> Iterator[None]:
    import desk_tui.server.database as database

    real = database.utcnow
    with pytest.MonkeyPatch.context() as mp:
        for name, module in list(sys.modules.items()):
            if name.startswith("desk_tui.server") and getattr(module, "utcnow", None) is real:
                mp.setattr(module, "utcnow", lambda: FIXED)
        yield


@contextmanager
def quiet_and_pinned() -> Iterator[None]:
    """A working keyring (no "not remembered" toast in the shot) and the pinned clock."""
    import keyring

    previous = keyring.get_keyring()
    keyring.set_keyring(DictKeyring())
    try:
        with pinned_clock():
            yield
    finally:
        keyring.set_keyring(previous)
