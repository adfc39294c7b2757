"""A membership credit counts against the month in which its sale completes ("deducted
only when the sale is recorded"), not the month in which it was put on hold: midnight on a
month's last day in the salon's time zone, DST days included.

No HTTP route can choose the clock, so, as in test_memberships_credits, the functions the sale's
completion calls run on the live server's own database (both engines) with explicit ``now``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desk_tui.server.memberships import credits
from tests.api.arrange_cards import tag
from tests.api.arrange_credits import call, credit, hold, member, refused
from tests.api.arrange_memberships import local, me
from tests.support.api_client import login

#: (last day of a month, first day of the next): an ordinary one, and the two DST changes that
#: fall on a month's last day in Budapest (clocks forward on 31 March 2030, back on 31 October 2032)
BOUNDARIES = [((2031, 4, 30), (2031, 5, 1)), ((2030, 3, 31), (2030, 4, 1)), ((2032, 10, 31), (2032, 11, 1))]


def test_a_credit_held_before_midnight_and_completed_after_counts_in_the_new_month(api):
    with login(api.url, "manager") as m:
        for (y, mo, d), (ny, nmo, nd) in BOUNDARIES:
            _, mem, _ = member(api, m, since=local(y, mo, 1))
            held_at, done_at = local(y, mo, d, 23, 50), local(ny, nmo, nd, 0, 10)
            sale = f"sal_{tag()}"
            hold(api, mem, held_at, sale_id=sale)
            assert credit(api, mem, held_at) == {"used": 0, "on_hold": 1, "remaining": 1}
            assert call(api, credits.consume, sale_id=sale, me=me(), now=done_at) == 1
            assert credit(api, mem, held_at) == {"used": 0, "on_hold": 0, "remaining": 2}, (y, mo)
            assert credit(api, mem, done_at) == {"used": 1, "on_hold": 0, "remaining": 1}, (y, mo)


def test_the_new_months_credit_must_be_free_when_the_sale_completes(api):
    with login(api.url, "manager") as m:
        _, mem, _ = member(api, m, since=local(2030, 3, 1))
        held_at, done_at = local(2030, 3, 31, 23, 55), local(2030, 4, 1, 0, 5)
        late = f"sal_{tag()}"
        hold(api, mem, held_at, sale_id=late)
        for _ in range(2):  # April's two credits go to other sales first
            other = f"sal_{tag()}"
            hold(api, mem, done_at - timedelta(minutes=1), sale_id=other)
            call(api, credits.consume, sale_id=other, me=me(), now=done_at - timedelta(minutes=1))
        assert refused(api, credits.consume, sale_id=late, me=me(), now=done_at).code == "credit_exhausted"
        assert credit(api, mem, done_at) == {"used": 2, "on_hold": 0, "remaining": 0}


@pytest.fixture(scope="module")
def manager(api):
    with login(api.url, "manager") as m:
        yield m


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(boundary=st.sampled_from(BOUNDARIES), before=st.integers(1, 180), after=st.integers(0, 180))
def test_the_month_of_the_completion_pays_whatever_the_minutes(api, manager, boundary, before, after):
    (y, mo, _d), (ny, nmo, nd) = boundary
    midnight = local(ny, nmo, nd, 0, 0)
    held_at, done_at = midnight - timedelta(minutes=before), midnight + timedelta(minutes=after)
    _, mem, _ = member(api, manager, since=local(y, mo, 1))
    sale = f"sal_{tag()}"
    hold(api, mem, held_at, sale_id=sale, minutes=before + after + 30)
    call(api, credits.consume, sale_id=sale, me=me(), now=done_at)
    assert credit(api, mem, done_at)["used"] == 1
    assert credit(api, mem, held_at)["used"] == 0
