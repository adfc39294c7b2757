"""Waiting for another process to exit without sleeping: the kernel says when (a pidfd)."""

from __future__ import annotations

import os
import select


def wait_for_exit(pid: int, timeout: float = 20.0, what: str = "the process to exit") -> None:
    """Return once ``pid`` has exited (at once if it is already gone); fail after ``timeout`` s."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    try:
        readable, _, _ = select.select([fd], [], [], timeout)  # readable when the process ends
    finally:
        os.close(fd)
    if not readable:
        raise AssertionError(f"timed out after {timeout} s waiting for {what}")
