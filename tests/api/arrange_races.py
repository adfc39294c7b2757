"""Requests fired at once by many terminals (this module holds no tests)."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.support.api_client import TLS


def race(url: str, token: str, path: str, bodies: list[dict]) -> list[httpx.Response]:
    """Fire one request per body at once (a barrier lines the threads up; no sleeps)."""
    barrier = threading.Barrier(len(bodies))

    def fire(body: dict) -> httpx.Response:
        headers = {"Authorization": token, "Idempotency-Key": uuid.uuid4().hex}
        with httpx.Client(base_url=url + "/v1", timeout=60, headers=headers, verify=TLS) as client:
            barrier.wait()
            return client.post(path, json=body)

    with ThreadPoolExecutor(len(bodies)) as pool_:
        return list(pool_.map(fire, bodies))
