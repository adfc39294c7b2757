"""Kill the server with SIGKILL while terminals redeem, restart it, retry, and check the ledger.

Shared by the bounded test in ``make test`` (one round) and the longer run in ``make bench``.
Each writer is a terminal redeeming one session at a time from one card, each request with its
own Idempotency-Key. After each kill the server is started again on the same database and every
request whose answer was lost is retried with its key until it has a definitive answer; every
acknowledged one is retried too and must be a replay of the same answer. At the end the card's
ledger must hold exactly one redemption per key.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field

import httpx
from sqlalchemy import create_engine, text

from tests.support.api_client import TLS, login
from tests.support.served import ServedAPI

UNITS = 100_000


@dataclass
class CrashReport:
    rounds: int = 0
    acknowledged: int = 0  # answered before the kill: each must replay, not run again
    in_flight: int = 0  # answer lost in the kill: each must have happened once or not at all
    applied: int = 0  # redemptions the ledger holds
    keys: int = 0  # distinct keys sent


@dataclass
class _Writer:
    token: str
    card_id: str
    #: every key this writer sent, and the answer it holds for it (None: lost in a kill)
    sent: dict[str, httpx.Response | None] = field(default_factory=dict)
    #: the keys of the current round
    fresh: list[str] = field(default_factory=list)

    def connect(self, url: str) -> None:
        self.client = httpx.Client(base_url=url, headers={"Authorization": self.token}, timeout=60, verify=TLS)

    def redeem(self, idem: str) -> httpx.Response:
        return self.client.post(f"/v1/cards/{self.card_id}/redemptions", json={"service_id": "svc_manicure"},
                                headers={"Idempotency-Key": idem})


def _issue_card(url: str) -> tuple[str, str]:
    """A card with plenty of units, issued by the manager; returns (token, card id)."""
    with login(url, "manager") as m:
        headers = {"Idempotency-Key": uuid.uuid4().hex}
        package = m.post("/packages", headers=headers, json={
            "name": f"Crash test {uuid.uuid4().hex[:6]}", "unit_type": "sessions", "price": 1000,
            "entitlements": [{"units": UNITS, "services": [{"service_id": "svc_manicure"}]}]})
        assert package.status_code == 201, package.text
        customer = m.post("/customers", json={"name": f"Crash Owner {uuid.uuid4().hex[:6]}"},
                          headers={"Idempotency-Key": uuid.uuid4().hex})
        assert customer.status_code == 201, customer.text
        card = m.post("/cards", headers={"Idempotency-Key": uuid.uuid4().hex}, json={
            "package_id": package.json()["id"], "customer_id": customer.json()["id"], "note": "crash test", "reason": "crash test"})
        assert card.status_code == 201, card.text
        return m.headers["Authorization"], card.json()["id"]


def _round(server: ServedAPI, writers: list[_Writer], acks_before_kill: int, report: CrashReport) -> None:
    acknowledged = threading.Semaphore(0)
    stop = threading.Event()

    def run(w: _Writer) -> None:
        w.connect(server.url)
        w.fresh = []
        while not stop.is_set():
            idem = uuid.uuid4().hex
            w.sent[idem] = None
            w.fresh.append(idem)
            try:
                w.sent[idem] = w.redeem(idem)
            except httpx.TransportError:
                return  # the server is gone: this request's fate is unknown
            acknowledged.release()

    threads = [threading.Thread(target=run, args=(w,), daemon=True) for w in writers]
    for t in threads:
        t.start()
    for _ in range(acks_before_kill):
        if not acknowledged.acquire(timeout=120):
            raise AssertionError("the writers got no answers")
    server.kill()
    stop.set()
    for t in threads:
        t.join(60)
    server.start()
    report.rounds += 1
    for w in writers:
        w.connect(server.url)
        for idem in w.fresh:
            answer = w.sent[idem]
            again = w.redeem(idem)
            assert again.status_code == 201, again.text
            if answer is None:
                report.in_flight += 1  # it happened before the kill (a replay) or never (it runs now)
            else:
                assert answer.status_code == 201, answer.text
                assert again.headers.get("idempotent-replayed") == "true", "an acknowledged write ran twice"
                assert again.json() == answer.json()
                report.acknowledged += 1
            w.sent[idem] = again
            # Retried once more: now it must be a replay whatever happened before.
            assert w.redeem(idem).headers.get("idempotent-replayed") == "true"


def kill_and_verify(db_url: str, *, workers: int, rounds: int = 1, writers: int = 3,
                    acks_before_kill: int = 30) -> CrashReport:
    report = CrashReport()
    server = ServedAPI(db_url, workers=workers).start()
    try:
        token, card_id = _issue_card(server.url)
        crew = [_Writer(token, card_id) for _ in range(writers)]
        for _ in range(rounds):
            _round(server, crew, acks_before_kill, report)
        report.keys = sum(len(w.sent) for w in crew)
        with login(server.url, "manager") as m:
            history = m.get(f"/cards/{card_id}/transactions", params={"limit": 500}).json()["items"]
            report.applied = sum(1 for t in history if t["kind"] == "redeem")
            card = m.get(f"/cards/{card_id}").json()
        assert report.applied == report.keys, f"{report.applied} redemptions for {report.keys} keys"
        assert card["balances"][0]["remaining"] == UNITS - report.keys
        engine = create_engine(db_url)
        try:
            with engine.connect() as conn:
                pending = conn.execute(text("SELECT count(*) FROM idempotency_keys WHERE status_code IS NULL"))
                assert pending.scalar_one() == 0, "a key was left pending after the crash"
        finally:
            engine.dispose()
    finally:
        server.stop()
    return report
