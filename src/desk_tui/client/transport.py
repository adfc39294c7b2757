"""The one place that sends HTTP, retries, and turns failures into :mod:`desk_tui.client.errors`.

What is retried, and why it is safe:

* a connection that could not be made: the request never left, retrying cannot double it;
* a read timeout and 502/503/504 (a proxy or a restarting server): only for requests that are
  safe to repeat — GETs, and writes carrying an ``Idempotency-Key`` (the server replays the
  first answer instead of applying it twice);
* 409 ``request_in_progress``: the server is still running the first copy of this very key.

Every other 4xx is an answer, not a glitch, and goes straight to the caller. Backoff doubles
from ``base`` with jitter, so terminals that lost the same server don't retry in lockstep.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

from desk_tui.client.errors import ApiError, CertificateError, OfflineError, RequestTimeout, from_problem
from desk_tui.client.tls import certificate_problem
from desk_tui.contract.common import read_json

log = logging.getLogger(__name__)

RETRY_STATUSES = {502, 503, 504}


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3
    """Retries after the first try: 3 means up to 4 requests."""
    base: float = 0.2
    factor: float = 2.0
    jitter: float = 0.25
    """± this fraction of each delay."""
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep, compare=False)

    def delay(self, retry: int) -> float:
        d = self.base * self.factor ** retry
        return max(0.0, d * (1 + random.uniform(-self.jitter, self.jitter)))


NO_RETRY = RetryPolicy(attempts=0)


def _problem_body(response: httpx.Response) -> object:
    """The error's JSON; its text reaches a notification, so its controls are made visible too."""
    try:
        shown = read_json(response.content)
        return response.json() if shown is None else shown
    except ValueError:
        return None


def _retryable_response(response: httpx.Response, idempotent: bool) -> bool:
    if response.status_code in RETRY_STATUSES:
        return idempotent
    if response.status_code == 409:
        body = _problem_body(response)
        return isinstance(body, dict) and body.get("code") == "request_in_progress"
    return False


async def send(http: httpx.AsyncClient, request: httpx.Request, *, idempotent: bool, policy: RetryPolicy,
               on_reachable: Callable[[bool], None]) -> httpx.Response:
    """Send ``request`` (the very same one, headers included, on every retry).

    Returns a 2xx or 304 response; raises :class:`ApiError` (or a subclass) for the rest.
    ``on_reachable`` hears whether the server answered at all, for the OFFLINE marker.
    """
    retry = 0
    while True:
        try:
            response = await http.send(request)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            reason = certificate_problem(exc)
            if reason is not None:  # trying again cannot make the certificate trusted
                on_reachable(False)
                log.warning("%s %s: the server's certificate is not trusted: %s", request.method, request.url.path,
                            reason)
                raise CertificateError(f"{request.method} {request.url.path}: {exc!r}", reason=reason) from exc
            failure: ApiError = OfflineError(f"{request.method} {request.url.path}: {exc!r}")
            can_retry = True
        except httpx.TimeoutException as exc:
            failure = RequestTimeout(f"{request.method} {request.url.path}: {exc!r}")
            can_retry = idempotent
        except httpx.TransportError as exc:  # the connection dropped mid-way (RemoteProtocolError, ReadError…)
            failure = OfflineError(f"{request.method} {request.url.path}: {exc!r}")
            can_retry = idempotent
        else:
            if response.is_success or response.status_code == 304:
                on_reachable(True)
                return response
            if retry < policy.attempts and _retryable_response(response, idempotent):
                log.info("%s %s answered %s; retrying", request.method, request.url.path, response.status_code)
                await response.aclose()
                await policy.sleep(policy.delay(retry))
                retry += 1
                continue
            if response.status_code in RETRY_STATUSES:
                on_reachable(False)  # a gateway answered, but the booking server behind it did not
                raise OfflineError(f"{request.method} {request.url.path}: HTTP {response.status_code}")
            on_reachable(True)
            error = from_problem(response.status_code, _problem_body(response))
            if response.status_code >= 500:
                log.error("%s %s failed: %r", request.method, request.url.path, error)
            raise error
        if can_retry and retry < policy.attempts:
            log.info("%s; retrying", failure.detail)
            await policy.sleep(policy.delay(retry))
            retry += 1
            continue
        on_reachable(False)
        log.warning("giving up: %s", failure.detail)
        raise failure
