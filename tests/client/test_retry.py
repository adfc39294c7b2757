"""Retry and idempotency rules of the client, with a scripted transport (the only mock allowed)."""

from __future__ import annotations

import httpx
import pytest

from desk_tui.client.errors import OFFLINE_SENTENCE, SENTENCES, ApiError, AuthExpired, OfflineError
from desk_tui.client.transport import RetryPolicy
from desk_tui.contract.customers import CustomerCreate, CustomerCreated

URL = "http://127.0.0.1:9"  # loopback: a PIN may be sent over plain http only to this machine
CUSTOMER = {"id": "cus_1", "name": "Ada", "store_credit": 0}


def problem(status: int, code: str, detail: str = "") -> httpx.Response:
    return httpx.Response(status, json={"type": "about:blank", "title": code, "status": status, "detail": detail,
                                        "code": code}, headers={"content-type": "application/problem+json"})


class Script:
    """Answers requests from a list, one item per request; records what was sent."""

    def __init__(self, *answers) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
def delays() -> list[float]:
    return []


@pytest.fixture
def scripted(make_client, delays):
    def build(*answers) -> tuple:
        async def no_wait(seconds: float) -> None:
            delays.append(seconds)

        script = Script(*answers)
        client = make_client(URL, http_transport=httpx.MockTransport(script), retry=RetryPolicy(sleep=no_wait))
        return client, script

    return build


async def test_a_write_reuses_one_idempotency_key_across_retries(scripted, delays):
    client, script = scripted(httpx.ConnectError("refused"), httpx.Response(503), problem(409, "request_in_progress"),
                              httpx.Response(201, json=CUSTOMER))
    customer = await client.create_customer(CustomerCreate(name="Ada"))
    assert customer == CustomerCreated(**CUSTOMER)  # the create answer: the customer and same_phone
    keys = {r.headers["Idempotency-Key"] for r in script.requests}
    assert len(script.requests) == 4 and len(keys) == 1 and next(iter(keys))
    assert {r.content for r in script.requests} == {b'{"name":"Ada"}'}


async def test_the_callers_key_is_sent_as_given(scripted):
    client, script = scripted(httpx.Response(201, json=CUSTOMER))
    await client.create_customer(CustomerCreate(name="Ada"), idempotency_key="form-42")
    assert script.requests[0].headers["Idempotency-Key"] == "form-42"


async def test_backoff_doubles_with_jitter(scripted, delays):
    client, _ = scripted(httpx.Response(503), httpx.Response(502), httpx.Response(504), httpx.Response(200, json=[]))
    assert await client.locations() == []
    assert len(delays) == 3
    for got, nominal in zip(delays, (0.2, 0.4, 0.8), strict=False):
        assert nominal * 0.75 <= got <= nominal * 1.25


async def test_connect_errors_exhaust_retries_then_offline(scripted, delays):
    changes: list[bool] = []
    client, script = scripted(*[httpx.ConnectError("refused")] * 4)
    client.on_offline_change = changes.append
    with pytest.raises(OfflineError) as caught:
        await client.me()
    assert len(script.requests) == 4 and len(delays) == 3
    assert caught.value.sentence == OFFLINE_SENTENCE and caught.value.code == "offline"
    assert client.offline and changes == [True]


async def test_a_business_conflict_is_not_retried(scripted, delays):
    client, script = scripted(problem(409, "insufficient_units", "Only 1 session left on 5x Manicure."))
    with pytest.raises(ApiError) as caught:
        await client.write("POST", "/cards/c1/redemptions", json={"service_id": "svc"})
    assert len(script.requests) == 1 and delays == []
    assert caught.value.code == "insufficient_units" and caught.value.status == 409
    assert caught.value.sentence == "Only 1 session left on 5x Manicure."


async def test_a_validation_refusal_is_said_in_the_servers_words(scripted):
    client, _ = scripted(problem(422, "validation_error", "name: String should have at least 1 character"))
    with pytest.raises(ApiError) as caught:
        await client.write("POST", "/customers", json={"name": ""})
    # never "check the highlighted fields" while nothing is highlighted and the server said what is wrong
    assert caught.value.sentence == "Name: String should have at least 1 character."
    assert caught.value.sentence != SENTENCES["validation_error"] and "name" in caught.value.detail


async def test_a_problem_without_detail_uses_the_table(scripted):
    client, _ = scripted(problem(409, "card_expired"))
    with pytest.raises(ApiError) as caught:
        await client.write("POST", "/cards/c1/redemptions", json={})
    assert caught.value.sentence == SENTENCES["card_expired"]


async def test_401_raises_auth_expired_and_wrong_pin_does_not(scripted):
    client, _ = scripted(problem(401, "unauthenticated", "Your session has ended. Please sign in again."),
                         problem(401, "invalid_credentials", "That username and PIN do not match. 4 tries left."))
    with pytest.raises(AuthExpired):
        await client.me()
    with pytest.raises(ApiError) as caught:
        await client.login("reception", "0000")
    assert not isinstance(caught.value, AuthExpired)
    assert caught.value.sentence.endswith("4 tries left.")


async def test_a_read_timeout_on_login_is_not_retried(scripted, delays):
    client, script = scripted(httpx.ReadTimeout("slow"))
    with pytest.raises(ApiError) as caught:
        await client.login("reception", "1111")
    assert caught.value.code == "timeout" and len(script.requests) == 1


async def test_a_server_error_is_reported_not_retried(scripted, delays):
    client, script = scripted(problem(500, "internal_error", "boom"))
    with pytest.raises(ApiError) as caught:
        await client.me()
    assert caught.value.sentence == SENTENCES["internal_error"] and len(script.requests) == 1
    assert not client.offline


async def test_offline_writes_refuse_after_one_probe(scripted, delays):
    client, script = scripted(*[httpx.ConnectError("refused")] * 4, httpx.ConnectError("still refused"))
    with pytest.raises(OfflineError):
        await client.staff()
    assert client.offline
    with pytest.raises(OfflineError):
        await client.create_customer(CustomerCreate(name="Ada"))
    assert script.requests[-1].url.path == "/v1/health"  # the write itself was never sent
    assert not any(r.method == "POST" for r in script.requests)
