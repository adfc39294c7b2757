"""How the client talks to a server safely: certificates checked (against a private CA's bundle
when one is configured), and no PIN sent in the clear to another machine.

A salon's server is often on its own network with a certificate from the owner's private CA:
``ca_bundle`` (``--ca-bundle``, ``DESK_CA_BUNDLE``, ``ca_bundle`` in config.toml) names that CA's
certificate, and then only certificates it signed are trusted. Over plain ``http://`` a PIN
could be read by anyone on the network, so it is sent only to this machine (the demo, a server
reached through an SSH tunnel) unless the user said ``--insecure``.
"""

from __future__ import annotations

import ipaddress
import ssl
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit


def tls_for(base_url: str, ca_bundle: Path | None = None) -> ssl.SSLContext | bool:
    """What httpx is given as ``verify``. An https server: httpx's default (certifi's bundle), or
    a context that trusts ``ca_bundle`` alone. A plain-http one (a server on the salon's own
    network, the demo) never does TLS: a context without a single certificate, so any https
    request fails closed, spares loading the bundle (≈1.8 MiB and ≈50 ms of every start, see
    make bench)."""
    if not base_url.startswith("https://"):
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if ca_bundle is not None:
        return ssl.create_default_context(cafile=str(ca_bundle))
    return True


def is_loopback(base_url: str) -> bool:
    host = (urlsplit(base_url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def sends_in_clear(base_url: str) -> bool:
    """Whether what is sent to this server could be read on the way: plain http to another machine."""
    return base_url.startswith("http://") and not is_loopback(base_url)


def carries_pin(body: Any) -> bool:
    """A body with a ``pin`` anywhere in it: a sign-in, or a manager's ``approval``."""
    if isinstance(body, Mapping):
        return "pin" in body or any(carries_pin(v) for v in body.values())
    if isinstance(body, list | tuple):
        return any(carries_pin(v) for v in body)
    return False


def certificate_problem(exc: BaseException) -> str | None:
    """OpenSSL's reason when ``exc`` (an httpx error) came from a certificate that did not verify."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError):
            return str(current.verify_message or current.reason or "not verified")
        current = current.__cause__ or current.__context__
    return None


def describe_certificate(base_url: str, ca_bundle: Path | None = None, timeout: float = 5.0) -> str:
    """`desk-tui doctor`'s line about an https server's certificate: who issued it, when it
    expires, and whether this client trusts it (as the app would: the CA bundle, else certifi's)."""
    import socket
    from datetime import UTC, datetime

    parts = urlsplit(base_url)
    host, port = parts.hostname or "", parts.port or 443
    if ca_bundle is not None:
        context = ssl.create_default_context(cafile=str(ca_bundle))
    else:
        import certifi

        context = ssl.create_default_context(cafile=certifi.where())
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock, \
                context.wrap_socket(sock, server_hostname=host) as tls:
            cert = tls.getpeercert()
    except ssl.SSLCertVerificationError as exc:
        hint = "" if ca_bundle is None else f" by {ca_bundle}"
        return f"NOT trusted{hint}: {exc.verify_message or exc.reason}"
    except (OSError, ssl.SSLError) as exc:
        return f"could not be read ({exc})"
    if not cert:
        return "could not be read (the server sent none)"
    rdns = cast("tuple[tuple[tuple[str, str], ...], ...]", cert.get("issuer", ()))
    issuer = {key: value for rdn in rdns for key, value in rdn}
    issued_by = issuer.get("commonName") or issuer.get("organizationName") or "unknown issuer"
    if issuer.get("organizationName") and issuer.get("organizationName") != issued_by:
        issued_by += f" ({issuer['organizationName']})"
    expires = datetime.fromtimestamp(ssl.cert_time_to_seconds(str(cert["notAfter"])), UTC)
    days = (expires - datetime.now(UTC)).days
    trusted_by = f"trusted by {ca_bundle}" if ca_bundle is not None else "trusted"
    return f"{trusted_by}; issued by {issued_by}; expires {expires:%Y-%m-%d} (in {days} days)"
