"""Listening sockets the server binds itself before uvicorn starts: the embedded demo server's and
the tests' (a loopback port chosen by the OS, or a given one), and the one that `desk-tui serve
--workers N` shares between its worker processes.

``IPPROTO_TCP`` is named on purpose: asyncio turns Nagle off (``TCP_NODELAY``) only on
connections whose listening socket says TCP, and uvicorn's own socket (``proto`` 0) left it on,
so every small answer waited ~40 ms for the client's delayed ACK.
"""

from __future__ import annotations

import socket


def tcp_socket(host: str, port: int = 0, *, reuse: bool = False) -> socket.socket:
    """A TCP socket bound to ``host``:``port`` (0: a free port), not yet listening."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    if reuse:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


def loopback_socket(port: int = 0, *, reuse: bool = False) -> socket.socket:
    """:func:`tcp_socket` on 127.0.0.1."""
    return tcp_socket("127.0.0.1", port, reuse=reuse)
