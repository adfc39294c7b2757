"""One user intent, one Idempotency-Key, until the server has answered: the real DeskClient against
a real server, through a real proxy on loopback that lets requests through but loses the answers
(the line that drops after the server committed)."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest

from desk_tui.client.errors import ApiError, OfflineError, RequestTimeout
from desk_tui.client.intents import IntentJournal
from desk_tui.client.transport import RetryPolicy
from desk_tui.contract.appointments import AppointmentCreate, AppointmentLineCreate, LineSourceCreate
from tests.api.arrange_appointments import TZ, new_customer, sell, some_day
from tests.support.api_client import key, login
from tests.support.proxy import LossyProxy

#: quick backoff, still several attempts: the transport's own retries all lose their answers too
QUICK = RetryPolicy(base=0.01)


def _booking(customer_id: str, card_id: str) -> AppointmentCreate:
    return AppointmentCreate(customer_id=customer_id, staff_id="stf_anna",
                             start=datetime.combine(some_day(), datetime.min.time().replace(hour=10), TZ),
                             lines=[AppointmentLineCreate(service_id="svc_manicure",
                                                          source=LineSourceCreate(card_id=card_id))])


def _on_server(manager, customer_id: str, data: AppointmentCreate) -> list[dict]:
    r = manager.get(f"/customers/{customer_id}/appointments", params={"from": data.start.date().isoformat()})
    assert r.status_code == 200, r.text
    return r.json()


def _pool(manager, card_id: str) -> dict:
    return manager.get(f"/cards/{card_id}").json()["balances"][0]


async def test_a_booking_whose_answer_timed_out_is_replayed_on_retry_not_booked_twice(api, make_client):
    manager = login(api.url, "manager")
    customer = new_customer(manager)
    card = sell(manager, customer)
    data = _booking(customer, card["id"])
    async with LossyProxy(api.url, hold=True) as proxy:
        client = make_client(proxy.url, timeout=3.0, retry=RetryPolicy(attempts=0))
        signed = await client.login("reception", "1111")

        proxy.lose_answers = True
        with pytest.raises(RequestTimeout):
            await client.appointments.book(data)
        await asyncio.wait_for(proxy.answer_lost.wait(), 30)  # the server did answer: it had booked
        assert len(_on_server(manager, customer, data)) == 1
        assert client.intents.pending(signed.staff.id) == ["POST /v1/appointments"]

        proxy.lose_answers = False
        appointment = await client.appointments.book(data)  # the receptionist presses Save again
        assert proxy.replayed_answers() == 1
        assert [a["id"] for a in _on_server(manager, customer, data)] == [appointment.id]
        assert _pool(manager, card["id"])["booked"] == 1
        assert client.intents.pending(signed.staff.id) == []


async def test_a_redemption_lost_on_a_dropped_line_is_confirmed_by_the_next_press(api, make_client):
    manager = login(api.url, "manager")
    card = sell(manager, new_customer(manager))
    async with LossyProxy(api.url) as proxy:
        client = make_client(proxy.url, retry=QUICK)
        await client.login("reception", "1111")

        proxy.lose_answers = True
        with pytest.raises(OfflineError):
            await client.cards.redeem(card["id"], "svc_manicure")
        assert client.offline and proxy.lost >= 1 and _pool(manager, card["id"])["used"] == 1

        proxy.lose_answers = False  # the line is back; the write probes, then sends
        again = await client.cards.redeem(card["id"], "svc_manicure")
        assert again.replayed and not client.offline
        assert _pool(manager, card["id"])["used"] == 1 == again.value.card.balances[0].used

        # Answered now: the next identical press is a new redemption, with a new key.
        third = await client.cards.redeem(card["id"], "svc_manicure")
        assert not third.replayed and third.value.card.balances[0].used == 2
        assert _pool(manager, card["id"])["used"] == 2 and proxy.replayed_answers() == 1


async def test_an_unanswered_booking_survives_a_restart_of_the_app(api, make_client, home):
    manager = login(api.url, "manager")
    customer = new_customer(manager)
    card = sell(manager, customer)
    data = _booking(customer, card["id"])
    async with LossyProxy(api.url) as proxy:
        first = make_client(proxy.url, retry=QUICK, intents=IntentJournal(home.intents_dir, proxy.url))
        await first.login("reception", "1111")
        proxy.lose_answers = True
        with pytest.raises(OfflineError):
            await first.appointments.book(data)
        await first.aclose()  # the app is closed (or crashed) with the booking unanswered
        assert len(_on_server(manager, customer, data)) == 1
        assert len(list(home.intents_dir.iterdir())) == 1

        proxy.lose_answers = False
        second = make_client(proxy.url, intents=IntentJournal(home.intents_dir, proxy.url))  # the next start
        await second.login("reception", "1111")
        appointment = await second.appointments.book(data)
        assert proxy.replayed_answers() == 1
        assert [a["id"] for a in _on_server(manager, customer, data)] == [appointment.id]
        assert _pool(manager, card["id"])["booked"] == 1
        assert list(home.intents_dir.iterdir()) == []  # answered: nothing left to remember


async def test_a_refusal_settles_the_intent_so_the_same_write_later_is_new(api, make_client):
    manager = login(api.url, "manager")
    card = sell(manager, new_customer(manager))
    pool = card["balances"][0]
    r = manager.post(f"/cards/{card['id']}/adjustments", headers=key(),
                     json={"entitlement_id": pool["entitlement_id"], "units": -pool["remaining"], "reason": "test"})
    assert r.status_code in (200, 201), r.text
    client = make_client(api.url)
    signed = await client.login("reception", "1111")

    with pytest.raises(ApiError) as caught:
        await client.cards.redeem(card["id"], "svc_manicure")
    assert caught.value.code == "insufficient_units"
    assert client.intents.pending(signed.staff.id) == []  # the server decided: nothing to retry

    r = manager.post(f"/cards/{card['id']}/adjustments", headers=key(),
                     json={"entitlement_id": pool["entitlement_id"], "units": 1, "reason": "test"})
    assert r.status_code in (200, 201), r.text
    written = await client.cards.redeem(card["id"], "svc_manicure")  # not a replay of the refusal
    assert not written.replayed and written.value.card.balances[0].used == 1
