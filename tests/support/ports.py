"""A free TCP port on loopback, for the servers tests start in child processes (PostgreSQL,
sshd, `desk-tui serve`, the SMTP server): one that binds port 0 itself has no need of it."""

from __future__ import annotations

import socket


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
