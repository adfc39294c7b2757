"""ETag revalidation, the disk cache, and going offline and back, over real HTTP."""

from __future__ import annotations

import httpx
import pytest

from desk_tui.client.cache import Cache, cache_key
from desk_tui.client.errors import OfflineError
from desk_tui.client.transport import RetryPolicy
from desk_tui.contract.customers import CustomerCreate
from desk_tui.contract.reference import Service
from tests.support.live_server import LiveServer


class Recorder(httpx.AsyncHTTPTransport):
    """A real transport that remembers the status of every answer (no mocking)."""

    def __init__(self) -> None:
        super().__init__()
        self.statuses: list[tuple[str, int]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        self.statuses.append((request.url.path, response.status_code))
        return response


async def no_wait(_: float) -> None:
    return None


async def test_a_second_read_revalidates_with_304(live, make_client, dict_keyring, home):
    recorder = Recorder()
    client = make_client(live.url, http_transport=recorder)
    await client.login("reception", "1111")
    first = await client.services()
    second = await client.services()
    assert first == second and first
    assert recorder.statuses[-2:] == [("/v1/services", 200), ("/v1/services", 304)]

    # A new process (empty memory) revalidates from the disk copy, and can draw before asking.
    restarted = make_client(live.url, http_transport=(rec2 := Recorder()))
    restarted.signed_in = client.signed_in
    assert restarted.peek("/services", list[Service]) == first
    assert await restarted.services() == first and rec2.statuses == [("/v1/services", 304)]


def test_corrupt_cache_files_count_as_missing(home):
    cache = Cache(home.cache_dir)
    key = cache_key("http://x", "loc", "/services")
    cache.put(key, b'[{"a": 1}]', 'W/"1"')
    for f in home.cache_dir.glob("*.json"):
        f.write_bytes(b"\x00{not json")
    assert Cache(home.cache_dir).get(key) is None
    (home.cache_dir / "stray.json").write_text("[]")
    assert Cache(home.cache_dir).get(cache_key("http://x", "loc", "/other")) is None


def test_the_cache_is_keyed_by_server_and_location(home):
    cache = Cache(home.cache_dir)
    cache.put(cache_key("http://x", "loc_a", "/staff"), b"[1]", None)
    fresh = Cache(home.cache_dir)
    assert fresh.get(cache_key("http://x", "loc_a", "/staff")).body == b"[1]"
    assert fresh.get(cache_key("http://x", "loc_b", "/staff")) is None
    assert fresh.get(cache_key("http://y", "loc_a", "/staff")) is None
    assert not list(home.cache_dir.glob(".tmp-*"))


async def test_offline_serves_the_cache_refuses_writes_and_recovers(make_client, dict_keyring, home, tmp_path):
    changes: list[bool] = []
    with LiveServer(f"sqlite:///{tmp_path}/offline.db", demo=True) as server:
        client = make_client(server.url, retry=RetryPolicy(sleep=no_wait))
        client.on_offline_change = changes.append
        await client.login("reception", "1111")
        services = await client.services()
        signed = client.signed_in
    # The server is gone (stopped; its port is closed).
    assert await client.services() == services
    assert client.offline and changes == [True]
    with pytest.raises(OfflineError) as caught:
        await client.create_customer(CustomerCreate(name="Kept Typed"))
    assert "Nothing was saved" in caught.value.sentence
    with pytest.raises(OfflineError):
        await client.products()  # never cached: nothing to show
    assert client.signed_in == signed  # being offline does not sign anyone out

    # The API comes back (a new server over the same database): a fresh client pointed at it,
    # with the same disk cache and token, recovers on the first successful call.
    with LiveServer(f"sqlite:///{tmp_path}/offline.db", demo=True) as again:
        back = make_client(again.url, retry=RetryPolicy(sleep=no_wait))
        back.signed_in = signed
        back.offline = True
        back.on_offline_change = changes.append
        assert await back.probe()
        assert not back.offline and changes == [True, False]
        created = await back.create_customer(CustomerCreate(name="Kept Typed"))
        assert created.name == "Kept Typed"
        assert await back.services() == services
