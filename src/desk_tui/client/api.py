"""DeskClient: everything the UI asks of the booking API, typed, cached and safe to retry.

The UI never sees httpx: it gets contract models or an :class:`~desk_tui.client.errors.ApiError`
with a sentence. Reads of reference data go through the cache (draw first with :meth:`peek`,
then revalidate with ETags); when the server is unreachable a cached read still succeeds and
``offline`` turns True, so the UI can show stale data read-only. Writes are never queued or
faked offline: they fail at once with :class:`OfflineError`, and the form keeps what was typed.
Every write carries the Idempotency-Key of its intent (see :mod:`desk_tui.client.intents`), so
sending it again after a lost answer is replayed by the server, never applied twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, overload
from urllib.parse import quote

import httpx

from desk_tui import __version__
from desk_tui.client import transport
from desk_tui.client.appointments import AppointmentCalls
from desk_tui.client.cache import Cache, cache_key
from desk_tui.client.cached import peek, reader
from desk_tui.client.cards import CardCalls
from desk_tui.client.core import Params
from desk_tui.client.errors import ApiError, AuthExpired, OfflineError, PlainHttpRefused, RequestTimeout
from desk_tui.client.intents import IntentJournal, Written, fingerprint, is_definitive, new_idempotency_key
from desk_tui.client.memberships import MembershipCalls
from desk_tui.client.remembered import forget, remember
from desk_tui.client.reports import ReportCalls
from desk_tui.client.sales import SaleCalls
from desk_tui.client.tls import carries_pin, sends_in_clear, tls_for
from desk_tui.client.tokens import TokenStore
from desk_tui.contract.auth import LoginRequest, LoginResponse, Me
from desk_tui.contract.common import JSONObject, Page
from desk_tui.contract.customers import ActivityEntry, Customer, CustomerCreate, CustomerCreated
from desk_tui.contract.reference import Location, Product, Service, Settings, Staff

T = TypeVar("T")
log = logging.getLogger(__name__)


class DeskClient:
    def __init__(self, base_url: str, *, tokens: TokenStore, cache: Cache, timeout: float = 10.0, demo: bool = False,
                 server_id: str | None = None, retry: transport.RetryPolicy | None = None,
                 http_transport: httpx.AsyncBaseTransport | None = None,
                 intents: IntentJournal | None = None, ca_bundle: Path | None = None,
                 allow_plain_http: bool = False) -> None:
        """``ca_bundle``: the only CA an https server's certificate may come from (a salon's own);
        ``allow_plain_http``: send PINs over http:// to another machine too (``--insecure``)."""
        self.base_url = base_url.rstrip("/")
        self.allow_plain_http = allow_plain_http
        self.server_id = server_id or self.base_url
        """What the cache is keyed by: the URL, or a stable name for the demo server (see connect)."""
        self.intents = intents or IntentJournal(None, self.server_id)
        """Writes still waiting for a definitive answer; in memory unless given one on disk."""
        self.demo = demo
        self.tokens = tokens
        self.cache = cache
        self.offline = False
        self.signed_in: LoginResponse | None = None
        self.on_offline_change: Callable[[bool], None] | None = None
        self._retry = retry or transport.RetryPolicy()
        self._http = httpx.AsyncClient(
            base_url=self.base_url + "/v1",
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            headers={"User-Agent": f"desk-tui/{__version__}", "Accept": "application/json"},
            transport=http_transport,
            verify=tls_for(self.base_url, ca_bundle),
        )
        # One object per domain over this one transport: client.cards.redeem(...), client.sales.sale(...)
        self.cards = CardCalls(self)
        self.appointments = AppointmentCalls(self)
        self.sales = SaleCalls(self)
        self.memberships = MembershipCalls(self)
        self.reports = ReportCalls(self)

    # -- plumbing ------------------------------------------------------------------------------
    def _set_reachable(self, reachable: bool) -> None:
        if self.offline == (not reachable):
            return
        self.offline = not reachable
        log.warning("the booking server is %s", "unreachable: OFFLINE" if self.offline else "back: online")
        if self.on_offline_change is not None:
            try:
                self.on_offline_change(self.offline)
            except Exception:
                log.exception("on_offline_change callback failed")

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = dict(extra or {})
        if self.signed_in is not None:
            headers.setdefault("Authorization", f"Bearer {self.signed_in.token}")
        return headers

    async def _send(self, method: str, path: str, *, params: Params | None = None, json: Any = None,
                    content: bytes | None = None, headers: dict[str, str] | None = None, idempotent: bool,
                    policy: transport.RetryPolicy | None = None) -> httpx.Response:
        request = self._request(method, path, params=params, json=json, content=content, headers=headers)
        return await self._send_request(request, idempotent=idempotent, policy=policy)

    def _request(self, method: str, path: str, *, params: Params | None = None, json: Any = None,
                 content: bytes | None = None, headers: dict[str, str] | None = None) -> httpx.Request:
        clean = {k: v for k, v in (params or {}).items() if v is not None} or None
        if not self.allow_plain_http and carries_pin(json) and sends_in_clear(self.base_url):
            raise PlainHttpRefused(f"{method} {path}: {self.base_url} is plain http to another machine")
        return self._http.build_request(method, path, params=clean, json=json, content=content,
                                        headers=self._headers(headers))

    async def _send_request(self, request: httpx.Request, *, idempotent: bool,
                            policy: transport.RetryPolicy | None = None) -> httpx.Response:
        try:
            return await transport.send(self._http, request, idempotent=idempotent,
                                        policy=policy or self._retry, on_reachable=self._set_reachable)
        except AuthExpired:
            if self.signed_in is not None and not request.url.path.endswith("/auth/logout"):
                self._forget_session()
            raise

    def _forget_session(self) -> None:
        forget(self.cache, self.server_id)
        if self.signed_in is not None and self.signed_in.staff.username:
            self.tokens.delete(self.signed_in.staff.username)
        self.signed_in = None

    def _key(self, path: str, params: Params | None) -> str:
        location = self.signed_in.location.id if self.signed_in is not None else None
        return cache_key(self.server_id, location, path, params)

    # -- generic building blocks -------------------------------------------------------------
    async def get_model(self, path: str, model: type[T], *, params: Params | None = None, cache: bool = False) -> T:
        """GET ``path`` as ``model``; with ``cache=True`` revalidate the cached copy and fall back
        to it when the server cannot be reached (then ``offline`` is True)."""
        if not cache:
            response = await self._send("GET", path, params=params, idempotent=True)
            return reader(model).validate_json(response.content)
        key = self._key(path, params)
        entry = self.cache.get(key)
        headers = {"If-None-Match": entry.etag} if entry is not None and entry.etag else None
        # Already offline: one quick try, not a full backoff, before serving the cached copy.
        policy = transport.NO_RETRY if self.offline and entry is not None else None
        try:
            response = await self._send("GET", path, params=params, headers=headers, idempotent=True, policy=policy)
        except (OfflineError, RequestTimeout):
            if entry is None:
                raise
            self._set_reachable(False)
            return reader(model).validate_json(entry.body)
        if response.status_code == 304 and entry is not None:
            return reader(model).validate_json(entry.body)
        value = reader(model).validate_json(response.content)
        self.cache.put(key, response.content, response.headers.get("ETag"))
        return value

    async def get_bytes(self, path: str, *, params: Params | None = None) -> bytes:
        """A GET whose answer is a file (a CSV export), not JSON."""
        response = await self._send("GET", path, params=params, idempotent=True)
        return response.content

    def peek(self, path: str, model: type[T], *, params: Params | None = None) -> T | None:
        """The cached value, if any, without touching the network: screens draw from it at once."""
        return peek(self.cache, self._key(path, params), model)

    @overload
    async def write(self, method: str, path: str, *, json: Any = None, model: type[T],
                    idempotency_key: str | None = None, if_match: int | str | None = None,
                    params: Params | None = None, content: bytes | None = None,
                    content_type: str | None = None) -> T: ...

    @overload
    async def write(self, method: str, path: str, *, json: Any = None, model: None = None,
                    idempotency_key: str | None = None, if_match: int | str | None = None,
                    params: Params | None = None, content: bytes | None = None,
                    content_type: str | None = None) -> None: ...

    async def write(self, method: str, path: str, *, json: Any = None, model: type[T] | None = None,
                    idempotency_key: str | None = None, if_match: int | str | None = None,
                    params: Params | None = None, content: bytes | None = None,
                    content_type: str | None = None) -> T | None:
        """POST/PATCH/PUT/DELETE with the Idempotency-Key of its intent; ``if_match`` carries the
        version an edit was based on (a stale one comes back as 412). A body that is not JSON (a
        CSV file) goes as ``content`` with its ``content_type``. See :meth:`write_intent`."""
        written = await self.write_intent(method, path, json=json, model=model, idempotency_key=idempotency_key,
                                          if_match=if_match, params=params, content=content,
                                          content_type=content_type)
        return written.value

    @overload
    async def write_intent(self, method: str, path: str, *, json: Any = None, model: type[T],
                           idempotency_key: str | None = None, if_match: int | str | None = None,
                           params: Params | None = None, content: bytes | None = None,
                           content_type: str | None = None) -> Written[T]: ...

    @overload
    async def write_intent(self, method: str, path: str, *, json: Any = None, model: None = None,
                           idempotency_key: str | None = None, if_match: int | str | None = None,
                           params: Params | None = None, content: bytes | None = None,
                           content_type: str | None = None) -> Written[None]: ...

    async def write_intent(self, method: str, path: str, *, json: Any = None, model: type[T] | None = None,
                           idempotency_key: str | None = None, if_match: int | str | None = None,
                           params: Params | None = None, content: bytes | None = None,
                           content_type: str | None = None) -> Written[T] | Written[None]:
        """:meth:`write`, and whether the answer was a replay of an earlier attempt.

        Without ``idempotency_key`` the key comes from the intent journal: the same write (same
        method, path, query and body, by the same staff member) sent again before it had a
        definitive answer goes with the key of its first attempt — also after a restart. Pass a
        key only for an intent its body does not identify (signing out: the token is in a header).
        """
        if self.offline and not await self.probe():
            raise OfflineError("offline, and the server still does not answer")
        headers: dict[str, str] = {}
        if if_match is not None:
            headers["If-Match"] = str(if_match)
        if content_type is not None:
            headers["Content-Type"] = content_type
        request = self._request(method, path, params=params, json=json, content=content, headers=headers)
        intent = None
        if idempotency_key is None and self.signed_in is not None:
            intent = self.intents.open(self.signed_in.staff.id,
                                       fingerprint(request.method, request.url.raw_path, request.content),
                                       f"{request.method} {request.url.path}")
            idempotency_key = intent.key
        request.headers["Idempotency-Key"] = idempotency_key or new_idempotency_key()
        try:
            response = await self._send_request(request, idempotent=True)
        except ApiError as exc:
            if intent is not None and is_definitive(exc.status, exc.code):
                self.intents.settle(intent)
            raise
        if intent is not None:
            self.intents.settle(intent)
        replayed = response.headers.get("Idempotent-Replayed", "").lower() == "true"
        if model is None or response.status_code == 204 or not response.content:
            return Written(None, replayed)
        return Written(reader(model).validate_json(response.content), replayed)

    async def probe(self) -> bool:
        """One quick health check; True (and ``offline`` False) when the server answers."""
        try:
            await self._send("GET", "/health", idempotent=True, policy=transport.NO_RETRY)
            return True
        except ApiError:
            return False

    async def healthz(self) -> JSONObject:
        """``GET /healthz`` once (the server and its database), for `desk-tui doctor`; a database
        that cannot be reached is a 503, raised as an OfflineError naming it."""
        response = await self._send("GET", f"{self.base_url}/healthz", idempotent=True, policy=transport.NO_RETRY)
        body = response.json()
        return body if isinstance(body, dict) else {}

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> DeskClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- sign-in ---------------------------------------------------------------------------------
    async def login(self, username: str, pin: str, location_id: str | None = None) -> LoginResponse:
        body = LoginRequest(username=username, pin=pin, location_id=location_id).model_dump(exclude_none=True)
        # Switching staff: whoever is signed in stays signed in until the next PIN is right.
        previous, self.signed_in = self.signed_in, None
        try:
            # Not idempotent: a retry after a lost answer would count a failed PIN twice. Only
            # a connection that never opened is retried (see transport.send).
            response = await self._send("POST", "/auth/login", json=body, idempotent=False)
        except BaseException:
            self.signed_in = previous
            raise
        result = reader(LoginResponse).validate_json(response.content)
        self.signed_in = result
        name = result.staff.username or username.strip().lower()
        self.tokens.set(name, result.token)
        self.tokens.last_username = name
        remember(self.cache, self.server_id, Me(staff=result.staff, location=result.location,
                                                expires_at=result.expires_at))
        return result

    async def resume(self) -> Me | None:
        """Sign in again with the stored token of whoever used this server last, if still valid.
        Raises OfflineError when the server cannot be reached (the token may still be good)."""
        username = self.tokens.last_username
        token = self.tokens.get(username) if username else None
        if not username or not token:
            return None
        try:
            response = await self._send("GET", "/me", headers={"Authorization": f"Bearer {token}"}, idempotent=True)
        except AuthExpired:
            self.tokens.delete(username)
            forget(self.cache, self.server_id)
            return None
        me = reader(Me).validate_json(response.content)
        if me.expires_at is None:
            return None
        self.signed_in = LoginResponse(token=token, expires_at=me.expires_at, staff=me.staff, location=me.location)
        remember(self.cache, self.server_id, me)
        return me

    async def logout(self) -> None:
        """Sign out here and on the server; the token is forgotten even when the server is away."""
        try:
            if self.signed_in is not None and not self.offline:
                # Its own key: the token being revoked is in a header, so the body (none) does
                # not tell one sign-out from the next and the journal must not join them.
                await self.write("POST", "/auth/logout", idempotency_key=new_idempotency_key())
        except ApiError as exc:
            log.info("server logout failed (%s); forgetting the token anyway", exc.code)
        finally:
            self._forget_session()

    async def me(self) -> Me:
        return await self.get_model("/me", Me)

    async def health(self) -> JSONObject:
        response = await self._send("GET", "/health", idempotent=True, policy=transport.NO_RETRY)
        body: JSONObject = response.json()
        return body

    # -- reference data (cached) -------------------------------------------------------------
    async def locations(self) -> list[Location]:
        return await self.get_model("/locations", list[Location], cache=True)

    async def settings(self) -> Settings:
        return await self.get_model("/settings", Settings, cache=True)

    async def staff(self) -> list[Staff]:
        return await self.get_model("/staff", list[Staff], cache=True)

    async def services(self) -> list[Service]:
        return await self.get_model("/services", list[Service], cache=True)

    async def products(self) -> list[Product]:
        return await self.get_model("/products", list[Product], cache=True)

    # -- customers -----------------------------------------------------------------------------
    async def search_customers(self, q: str, limit: int = 50, cursor: str | None = None) -> Page[Customer]:
        return await self.get_model("/customers", Page[Customer], params={"q": q or None, "limit": limit,
                                                                           "cursor": cursor})

    async def create_customer(self, data: CustomerCreate, *, idempotency_key: str | None = None) -> CustomerCreated:
        """The new customer, and who else already has the phone number (``same_phone``)."""
        return await self.write("POST", "/customers", json=data.model_dump(mode="json", exclude_none=True),
                                model=CustomerCreated, idempotency_key=idempotency_key)

    async def customers_with_phone(self, phone: str) -> list[Customer]:
        """Who already has this phone number, however either was typed (asked before a new customer is saved)."""
        page = await self.get_model("/customers", Page[Customer], params={"phone": phone, "limit": 10})
        return page.items

    async def customer(self, id: str) -> Customer:
        return await self.get_model(f"/customers/{quote(id, safe='')}", Customer, cache=True)

    async def activity(self, id: str, cursor: str | None = None) -> Page[ActivityEntry]:
        return await self.get_model(f"/customers/{quote(id, safe='')}/activity", Page[ActivityEntry], params={"cursor": cursor})
