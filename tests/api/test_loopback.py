"""The pre-bound listening socket of the embedded demo server: its connections have Nagle off.

With a socket made as ``socket(AF_INET, SOCK_STREAM)`` (proto 0) asyncio left Nagle on, and
every answer from the embedded server waited ~40 ms for the client's delayed ACK. This checks
the option itself on a connection accepted the way uvicorn accepts it (an asyncio server on
the socket), not a timing.
"""

from __future__ import annotations

import asyncio
import socket

from desk_tui.server.loopback import loopback_socket, tcp_socket


def _nodelay_of_an_accepted_connection(sock: socket.socket) -> int:
    async def run() -> int:
        accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                conn = transport.get_extra_info("socket")
                accepted.set_result(conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await asyncio.get_running_loop().create_server(Probe, sock=sock)
        _, writer = await asyncio.open_connection("127.0.0.1", sock.getsockname()[1])
        try:
            return await asyncio.wait_for(accepted, 10)
        finally:
            writer.close()
            server.close()
            await server.wait_closed()

    return asyncio.run(run())


def test_connections_to_the_loopback_socket_have_nagle_off():
    sock = loopback_socket()
    assert sock.getsockname()[0] == "127.0.0.1" and sock.getsockname()[1] > 0
    assert _nodelay_of_an_accepted_connection(sock) != 0


def test_a_socket_with_proto_0_would_not_get_it():
    """What the test above guards against: the same listening socket without IPPROTO_TCP."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    assert _nodelay_of_an_accepted_connection(sock) == 0


def test_the_socket_serve_shares_between_workers_has_nagle_off_too():
    """`desk-tui serve --workers N` binds this socket for its workers instead of uvicorn's."""
    sock = tcp_socket("0.0.0.0")
    assert _nodelay_of_an_accepted_connection(sock) != 0
