"""GET /v1/events: what each location's desks are told, in order, with ids; what a reconnecting
desk is replayed; and that a change that rolled back is never announced."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from desk_tui.server import housekeeping
from desk_tui.server.database import utcnow
from desk_tui.server.events import service as events
from tests.api.arrange_appointments import (
    action,
    at,
    book,
    booked,
    from_card,
    new_customer,
    paid,
    past_day,
    sell,
    some_day,
)
from tests.support.api_client import login
from tests.support.event_stream import EventStream, token


def _in_thread(fn, *args, **kw):
    return asyncio.to_thread(fn, *args, **kw)


async def test_a_desk_hears_bookings_in_order_with_ids_and_versions(api):
    c = login(api.url, "reception")
    async with EventStream(api.url, await token(api.url)) as stream:
        kind, ready, ready_id = await stream.next()
        assert kind == "ready" and int(ready_id) == ready["id"]
        customer = await _in_thread(new_customer, c)
        day = past_day()
        appt = await _in_thread(booked, c, customer, at(day, 10), paid())
        await _in_thread(action, c, appt["id"], "check-in")
        await _in_thread(action, c, appt["id"], "cancel", json={"reason": "ill"})
        got = [await stream.next() for _ in range(3)]
    assert [k for k, _, _ in got] == ["appointment.created", "appointment.checked_in", "appointment.cancelled"]
    ids = [int(i) for _, _, i in got]
    assert ids == sorted(ids) and len(set(ids)) == 3 and ids[0] > int(ready_id)
    assert [d["version"] for _, d, _ in got] == [1, 2, 3]
    created = got[0][1]
    assert created["appointment_id"] == appt["id"] and created["customer_id"] == customer
    assert created["day"] == day.isoformat() and created["location_id"] == "loc_downtown"
    assert created["staff_name"] == "Réka Tóth" and created["location_name"] == "Downtown"
    assert "lines" not in created and "customer_name" not in created  # ids, never the object
    assert got[2][1]["summary"] == "cancelled (ill)"


async def test_a_reconnecting_desk_is_replayed_what_it_missed(api):
    c = login(api.url, "reception")
    t = await token(api.url)
    async with EventStream(api.url, t) as stream:
        _, _, last = await stream.next()
    customer = await _in_thread(new_customer, c)
    appt = await _in_thread(booked, c, customer, at(some_day(), 11), paid())
    await _in_thread(action, c, appt["id"], "cancel")
    async with EventStream(api.url, t, last_event_id=last) as stream:
        missed = await stream.until("ready")
    assert [k for k, d, _ in missed if d.get("appointment_id") == appt["id"]] == \
        ["appointment.created", "appointment.cancelled"]
    assert missed[-1][0] == "ready" and int(missed[-1][2]) >= int(missed[-2][2])
    async with EventStream(api.url, t, last_event_id=missed[-1][2]) as stream:
        assert (await stream.next())[0] == "ready"  # nothing missed since: nothing replayed


async def test_a_gap_older_than_the_window_says_reset(api):
    t = await token(api.url)
    c = login(api.url, "reception")
    async with EventStream(api.url, t) as stream:
        _, _, before = await stream.next()
    await _in_thread(new_customer_booked, c)
    await _in_thread(new_customer_booked, c)
    # Housekeeping an hour from now forgets everything but the newest event.
    await _in_thread(housekeeping.run_once, api.database, hold_timeout=timedelta(minutes=30),
                     now=utcnow() + timedelta(hours=1))
    async with EventStream(api.url, t, last_event_id=before) as stream:
        assert [k for k, _, _ in await stream.until("ready")] == ["reset", "ready"]
    async with EventStream(api.url, t, last_event_id="999999999999") as stream:  # an id never given out
        assert (await stream.next())[0] == "reset"


def new_customer_booked(c) -> dict:
    return booked(c, new_customer(c), at(some_day(), 12), paid())


async def test_a_change_that_rolls_back_is_never_announced(api):
    c = login(api.url, "reception")
    customer = await _in_thread(new_customer, c)
    card = await _in_thread(sell, c, customer)
    async with EventStream(api.url, await token(api.url)) as stream:
        await stream.next()  # ready
        # The first line reserves a session on the card (a card event is noted), the second is a
        # service the card does not cover: the booking is refused and the reservation rolled back.
        refused = await _in_thread(book, c, customer, at(some_day(), 9), from_card(card["id"]),
                                   from_card(card["id"], "svc_deep_tissue"))
        assert refused.status_code in (409, 422), refused.text

        def noted_then_failed() -> None:
            with pytest.raises(RuntimeError), api.database.transaction() as s:
                events.record(s, kind="card.changed", location_id=None, me=None, card_id=card["id"])
                raise RuntimeError("the change failed after its event was noted")

        await _in_thread(noted_then_failed)
        appt = await _in_thread(booked, c, customer, at(some_day(), 9), paid())
        kind, data, _ = await stream.next()
    assert (kind, data["appointment_id"]) == ("appointment.created", appt["id"])


async def test_cards_reach_every_location_appointments_only_their_own(api):
    c = login(api.url, "reception")  # Downtown
    customer = await _in_thread(new_customer, c)
    card = await _in_thread(sell, c, customer)
    async with EventStream(api.url, await token(api.url, location_id="loc_riverside")) as riverside:
        await riverside.next()  # ready
        await _in_thread(booked, c, customer, at(some_day(), 14), from_card(card["id"]))
        kind, data, _ = await riverside.next()
        marker = await _in_thread(booked, login(api.url, "reception", location_id="loc_riverside"), customer,
                                  at(some_day(), 15), paid(), staff_id="stf_dora")
        after = await riverside.until("appointment.created")
    assert (kind, data["card_id"], data["customer_id"]) == ("card.changed", card["id"], customer)
    assert data["location_name"] == "Downtown" and "staff_name" not in data  # not who, elsewhere
    # The Downtown booking itself never reached Riverside; Riverside's own booking did.
    assert [d.get("appointment_id") for k, d, _ in after if k.startswith("appointment.")] == [marker["id"]]


async def test_the_stream_needs_a_signed_in_desk(api):
    async with EventStream(api.url, "not-a-token") as stream:
        assert stream.status == 401


async def test_every_worker_hears_every_change(served_api):
    """On PostgreSQL two worker processes: each stream and each write lands on either of them."""
    t = await token(served_api.url)
    c = login(served_api.url, "reception")
    customer = await _in_thread(new_customer, c)
    streams = [EventStream(served_api.url, t) for _ in range(4)]
    for s in streams:
        await s.__aenter__()
        assert (await s.next())[0] == "ready"
    try:
        made = []
        for hour in (9, 10, 11, 12):
            writer = login(served_api.url, "reception")  # a new connection: any worker may take it
            made.append((await _in_thread(booked, writer, customer, at(some_day(), hour), paid()))["id"])
        for s in streams:
            heard = [(await s.next())[1]["appointment_id"] for _ in made]
            assert heard == made
    finally:
        for s in streams:
            await s.__aexit__(None, None, None)
