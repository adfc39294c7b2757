"""`desk-tui web`'s options and the addresses it refuses, apart from the server (web.py) so
`desk-tui --help` and the refusals work on a desk installed without the `web` extra."""

from __future__ import annotations

import argparse
import ipaddress
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

DEFAULT_PORT = 8766
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def add_web_parser(sub: Any, client_options: Callable[[argparse.ArgumentParser], None]) -> None:
    """`desk-tui web`; ``client_options`` adds --server, --log, --ca-bundle and --insecure as the
    terminal app has them (cli.py), so a browser's desk is configured like a terminal's."""
    p = sub.add_parser("web", help="serve the desk to a browser (support without SSH)",
                       description="Serve the desk to a web browser: every browser tab runs its own desk-tui "
                                   "and signs in with a PIN, as in a terminal. Needs pip install 'desk-tui[web]'.")
    client_options(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to listen on (default {DEFAULT_PORT})")
    p.add_argument("--public", action="store_true",
                   help="allow an address other machines can reach (anyone who reaches it gets a sign-in screen)")
    p.add_argument("--public-url", metavar="URL",
                   help="the address browsers use, e.g. https://desk.salon.lan behind an HTTPS proxy "
                        "(default http://HOST:PORT)")


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host.lower() == "localhost"


def _is_wildcard(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        return host == ""


def refusal(host: str, *, public: bool, public_url: str | None) -> str | None:
    """Why `web` will not listen on ``host``, in a sentence; None when it may."""
    if is_loopback(host):
        return None
    if not public:
        return (f"{host} can be reached from other machines, and anyone who reaches it gets a sign-in screen. "
                f"Say --public if that is what you want (better: keep 127.0.0.1 and put an HTTPS reverse proxy "
                f"in front).")
    if _is_wildcard(host) and not public_url:
        return (f"--host {host} listens on every address, so the page cannot tell browsers where to connect: "
                f"give --public-url with the address they use (e.g. https://desk.salon.lan).")
    return None


def host_names(host: str, public_url: str) -> frozenset[str]:
    """The names a browser may use for this server (Host and Origin headers): the public URL's,
    the address listened on, and on loopback every name of this machine's loopback."""
    names = {(urlsplit(public_url).hostname or "").lower(), host.strip("[]").lower()}
    if is_loopback(host):
        names |= LOOPBACK_NAMES
    return frozenset(names - {""})


