"""A validation refusal names the input it is about (`field`), whether the schema or a rule of a
service refused it, so a desk can put the sentence on that input."""

from __future__ import annotations

from tests.api.arrange_appointments import at, book, from_card, new_customer, paid, sell, some_day
from tests.support.api_client import assert_problem, login


def test_a_rule_of_the_service_names_its_field(api):
    with login(api.url, "reception") as c:
        customer = new_customer(c, "Holder")
        body = assert_problem(book(c, customer, at(some_day(), 10), paid("svc_nobody")), 422, "validation_error")
        assert body["field"] == "lines.0.service_id", body
        assert body["errors"] == [{"field": "lines.0.service_id", "message": "no such service."}]
        assert body["detail"] == "lines.0.service_id: no such service."


def test_a_refusal_of_another_code_names_its_field_too(api):
    """A card that is neither the customer's nor shared with them (family cards) is a rule of its
    own (card_not_shared), and still names the input that chose the card."""
    with login(api.url, "reception") as c:
        holder, other = new_customer(c, "Holder"), new_customer(c, "Other")
        card = sell(c, holder)
        body = assert_problem(book(c, other, at(some_day(), 10), from_card(card["id"])), 409, "card_not_shared")
        assert body["field"] == "lines.0.source.card_id", body
        assert body["errors"][0]["field"] == "lines.0.source.card_id"
        assert body["errors"][0]["message"].endswith("is not shared with " + c.get(f"/customers/{other}").json()["name"] + ".")


def test_a_schema_refusal_names_its_field(api):
    with login(api.url, "reception") as c:
        r = c.post("/appointments", json={"staff_id": "stf_anna", "start": at(some_day(), 10), "lines": [paid()]})
        body = assert_problem(r, 422, "validation_error")
        assert body["field"] == "customer_id" and body["errors"][0]["field"] == "customer_id", body
