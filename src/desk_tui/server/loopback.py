"""The listening socket of a server that binds before uvicorn starts (the embedded demo server,
and the tests' live servers): a loopback port chosen by the OS, or a given one."""

from __future__ import annotations

import socket


def loopback_socket(port: int = 0, *, reuse: bool = False) -> socket.socket:
    """A TCP socket bound to 127.0.0.1:``port`` (0: a free port), not yet listening.

    ``IPPROTO_TCP`` is named on purpose: asyncio turns Nagle off (``TCP_NODELAY``) only on
    connections whose socket says TCP, and with ``proto`` 0 every small answer waited ~40 ms for
    the client's delayed ACK.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    if reuse:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    return sock
