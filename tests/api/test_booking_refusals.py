"""What a new booking refuses, and in which order, now that the stylist's lock reads the services
and the customer in the same statement (appointments/booked.py): a line's service first, then
the customer, then the stylist — whether or not the stylist exists."""

from __future__ import annotations

from tests.api.arrange_appointments import at, book, new_customer, paid, some_day
from tests.support.api_client import assert_problem, login


def refused(c, customer: str, *lines: dict, staff_id: str = "stf_anna", status: int = 422,
            code: str = "validation_error") -> str:
    detail: str = assert_problem(book(c, customer, at(some_day(), 10), *lines, staff_id=staff_id), status, code)["detail"]
    return detail


def test_a_booking_names_what_is_wrong_first(api):
    with login(api.url, "reception") as c:  # at Downtown
        cus = new_customer(c)
        assert "lines.1.service_id: no such service" in refused(c, cus, paid(), paid("svc_nothing"))
        assert "Express Facial is not offered at Downtown" in refused(
            c, cus, paid(), paid("svc_express_facial"), status=409, code="service_not_offered_here")
        assert "customer_id: no such customer" in refused(c, "cus_nobody", paid())
        assert "staff_id: no such staff member" in refused(c, cus, paid(), staff_id="stf_nobody")
        assert "Dóra Molnár does not work at this location" in refused(c, cus, paid(), staff_id="stf_dora")
        assert "Réka Tóth does not take appointments" in refused(c, cus, paid(), staff_id="stf_reception")
        # the order holds when there is no such stylist (the lock reads no row at all)
        assert "lines.0.service_id: no such service" in refused(c, "cus_nobody", paid("svc_nothing"),
                                                                  staff_id="stf_nobody")
        assert "customer_id: no such customer" in refused(c, "cus_nobody", paid(), staff_id="stf_nobody")
        # … and when there is
        assert "lines.0.service_id: no such service" in refused(c, "cus_nobody", paid("svc_nothing"),
                                                                  staff_id="stf_dora")
        assert "customer_id: no such customer" in refused(c, "cus_nobody", paid(), staff_id="stf_dora")


def test_a_booking_of_several_lines_is_written_whole(api):
    """The appointment, its lines and its activity line go in one statement on PostgreSQL."""
    with login(api.url, "reception") as c:
        cus = new_customer(c)
        r = book(c, cus, at(some_day(), 9), paid(), paid("svc_pedicure"), paid("svc_haircut"), note="three")
        assert r.status_code == 201, r.text
        appt = r.json()
        assert [x["service_name"] for x in appt["lines"]] == ["Manicure", "Pedicure", "Haircut"]
        assert appt["end"] != appt["start"] and appt["total"] == 8000 + 9500 + 9000 and appt["note"] == "three"
        again = c.get(f"/appointments/{appt['id']}").json()
        assert again == appt
        activity = c.get(f"/customers/{cus}/activity").json()["items"]
        assert activity[0]["kind"] == "appointment_booked" and activity[0]["appointment_id"] == appt["id"]
        assert "Manicure, Pedicure, Haircut with Anna Szabó" in activity[0]["summary"]
