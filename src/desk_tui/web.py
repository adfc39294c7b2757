"""`desk-tui web`: the same desk in a browser, for support staff who cannot use SSH (its options
and which addresses it refuses: web_options.py, importable without the `web` extra).

textual-serve answers the page and, for every websocket a browser tab opens, starts one
`desk-tui` process of its own (``desk_tui.browser_session``) whose screen travels over that
websocket. Nothing is signed in here: each tab shows the sign-in screen and asks for a PIN,
exactly as a terminal does, and the booking API decides as it does for any desk.

Loopback by default. Another address is refused unless the operator says ``--public``, because
whoever reaches the port gets a sign-in screen and the page is plain HTTP. The websocket only
answers pages of this server's own address (the Host and Origin headers), so another web site
open in the same browser cannot drive a desk, nor reach a loopback one by DNS rebinding.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server

from desk_tui.cli import client_settings
from desk_tui.client.embedded import EmbeddedServerError, ensure_embedded_server
from desk_tui.client.paths import Paths
from desk_tui.client.settings import ClientSettings
from desk_tui.web_options import host_names, is_loopback, refusal

PUBLIC_WARNING = ("desk-tui web: listening on {host}, not only on this machine. Anyone who can reach port {port} "
                  "gets a desk-tui sign-in screen, and this server speaks plain HTTP: put it behind an HTTPS "
                  "reverse proxy (and give its address with --public-url https://…), or reach it over a VPN.")

def session_command(settings: ClientSettings, *, server: str, log_file: Path) -> str:
    """The shell command textual-serve runs for each tab (it takes a string for a shell, so
    every part is quoted). The effective client options go along explicitly, already resolved,
    so a tab's desk talks to the same server with the same trust as the terminal app would."""
    argv = [sys.executable, "-m", "desk_tui.browser_session", "--server", server, "--log", str(log_file)]
    if settings.ca_bundle is not None:
        argv += ["--ca-bundle", str(settings.ca_bundle.resolve())]
    if settings.insecure:
        argv.append("--insecure")
    return shlex.join(argv)


class DeskWebServer(Server):
    """textual-serve's server, answering only its own address, and closing every tab's desk
    when it stops (aiohttp would otherwise wait up to a minute for open websockets)."""

    def __init__(self, command: str, *, host: str, port: int, public_url: str) -> None:
        super().__init__(command, host=host, port=port, title="desk-tui", public_url=public_url)
        self.names = host_names(host, public_url)
        self._open: set[web.WebSocketResponse] = set()

    def _ours(self, request: web.Request) -> bool:
        host = (urlsplit(f"//{request.host}").hostname or "").lower()
        origin = request.headers.get("Origin")
        # Browsers always send Origin on a websocket; a page of another site sends its own.
        return host in self.names and (origin is None or (urlsplit(origin).hostname or "").lower() in self.names)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        if not self._ours(request):
            raise web.HTTPForbidden(text="This desk answers only pages served from its own address.")
        return await super().handle_websocket(request)

    async def _process_messages(self, websocket: web.WebSocketResponse, app_service: AppService) -> None:
        self._open.add(websocket)
        try:
            await super()._process_messages(websocket, app_service)
        finally:
            self._open.discard(websocket)

    async def on_shutdown(self, app: web.Application) -> None:
        # Closing the websocket ends its message loop, and textual-serve then tells the tab's desk to quit.
        for websocket in list(self._open):
            await websocket.close(message=b"desk-tui web is stopping")


def run(args: argparse.Namespace) -> int:
    problem = refusal(args.host, public=args.public, public_url=args.public_url)
    if problem:
        print(f"desk-tui web: {problem}", file=sys.stderr)
        return 2
    paths = Paths.from_env()
    settings = client_settings(args, "desk-tui web")
    if settings is None:
        return 2
    server = settings.server
    if not server:
        # As `desk-tui` with no server: the demo salon, held by this process for as long as it
        # serves (every tab's desk joins it by URL); it stops once nothing uses it any more.
        try:
            server = ensure_embedded_server(paths).url
        except EmbeddedServerError as exc:
            print(f"desk-tui web: the demo server could not start: {exc}", file=sys.stderr)
            return 2
    if not is_loopback(args.host):
        print(PUBLIC_WARNING.format(host=args.host, port=args.port), file=sys.stderr)
    bracketed = f"[{args.host}]" if ":" in args.host else args.host
    public_url = (args.public_url or f"http://{bracketed}:{args.port}").rstrip("/")
    log_file = (settings.log_file or paths.log_file).expanduser().absolute()
    command = session_command(settings, server=server, log_file=log_file)
    try:
        DeskWebServer(command, host=args.host, port=args.port, public_url=public_url).serve()
    except OSError as exc:  # the port is taken, or the address is not this machine's
        print(f"desk-tui web: cannot listen on {bracketed}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    return 0
