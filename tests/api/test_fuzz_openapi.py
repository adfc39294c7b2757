"""schemathesis against our own OpenAPI document, over real HTTP: whatever a generated request
holds, the answer is never a server error (docs/api.md: "No input produces a 500").

The schema is read from docs/openapi.json, which tests/test_openapi_document.py holds equal to
what the code serves: read at import, it gives one test per operation, which the workers share,
where a schema fetched from a running server gave one test of 70-odd subtests on one worker."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.support.api_client import login
from tests.support.live_server import LiveServer


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory):
    with LiveServer(f"sqlite:///{tmp_path_factory.mktemp('fuzz')}/fuzz.db", demo=True) as server:
        yield server


@pytest.fixture(scope="module")
def fuzz_token(fuzz_server):
    with login(fuzz_server.url, "owner") as c:
        return c.headers["Authorization"]


schema = schemathesis.openapi.from_path(Path(__file__).parents[2] / "docs" / "openapi.json")

STREAM_READ_SECONDS = 2


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_generated_request_gets_a_server_error(case, fuzz_server, fuzz_token):
    if case.path == "/v1/auth/logout":
        return  # would sign the fuzzer itself out; covered by test_auth
    # The event stream never ends on its own; a short read timeout (reset by each chunk) lets the
    # fuzzer read what it opens with and move on, where the default waited for 20 s pings.
    # Only there: an explicit timeout=None would also lift schemathesis' 10 s default elsewhere.
    stream = {"timeout": STREAM_READ_SECONDS} if case.path == "/v1/events" else {}
    response = case.call(base_url=fuzz_server.url, headers={"Authorization": fuzz_token}, **stream)
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text[:300]}"


#: values at the edges of what the types allow, which random generation rarely reaches
EDGE_CURSORS = ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "0001-01-01", "9999-12-31"]
EDGE_DATES = ["0001-01-01", "9999-12-31"]


def _edge_cursor(value: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([value, "zzz"]).encode()).decode().rstrip("=")


def test_every_list_and_report_answers_edge_cursors_and_dates(fuzz_server, fuzz_token):
    """Each GET of the document that takes a cursor or a date, with the first and last day a
    date can hold: 2xx or 4xx, never a server error, and never a cut connection."""
    document = httpx.get(f"{fuzz_server.url}/openapi.json", timeout=60).json()
    tried = 0
    with httpx.Client(base_url=fuzz_server.url, headers={"Authorization": fuzz_token}, timeout=60) as c:
        for path, operations in document["paths"].items():
            get = operations.get("get")
            if get is None or "{" in path:
                continue
            params = {p["name"]: p for p in get.get("parameters", []) if p["in"] == "query"}
            trials = [{"cursor": _edge_cursor(v)} for v in EDGE_CURSORS] if "cursor" in params else []
            for name, p in params.items():
                if any(s.get("format") == "date" for s in [p["schema"], *p["schema"].get("anyOf", [])]):
                    trials += [{name: v} for v in EDGE_DATES]
            for query in trials:
                r = c.get(path, params=query)  # a body cut short raises here
                assert r.status_code < 500, f"GET {path} {query}: {r.text[:300]}"
                tried += 1
    assert tried >= 10
