"""The one money formatter (contract/money.py) that the client's screens and the server's
receipts and sentences share: whatever the amount, the text reads back as that amount."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from desk_tui.contract.common import PRICE_MAX
from desk_tui.contract.money import NARROW_NO_BREAK_SPACE, format_money
from desk_tui.contract.reference import Settings
from desk_tui.ui.money import format_money as on_screen
from desk_tui.ui.money import parse_money

amounts = st.integers(min_value=-4 * PRICE_MAX, max_value=4 * PRICE_MAX)
decimals = st.integers(min_value=0, max_value=3)
groups = st.sampled_from([NARROW_NO_BREAK_SPACE, " "])


def read_back(text: str, currency: str, group: str) -> tuple[int, int]:
    """The amount a person reads in ``text``, and how many decimals it shows."""
    match = re.fullmatch(rf"(-?)(\d{{1,3}}(?:{group}\d{{3}})*)(?:\.(\d+))? {currency}", text)
    assert match, text
    sign, whole, minor = match.groups()
    digits = len(minor or "")
    value = int(whole.replace(group, "")) * 10**digits + int(minor or 0)
    return (-value if sign else value), digits


@given(amounts, decimals, groups)
def test_the_text_reads_back_as_the_amount(amount, places, group):
    assert read_back(format_money(amount, "EUR", places, group=group), "EUR", group) == (amount, places)


def test_a_negative_amount_keeps_its_sign_in_front():
    # The server's copy floor-divided the signed amount: -150 cents came out as "-2.50".
    assert format_money(-150, "EUR", 2, group=" ") == "-1.50 EUR"
    assert format_money(-1_234_567, "HUF", 0, group=" ") == "-1 234 567 HUF"


@given(st.integers(min_value=0, max_value=PRICE_MAX), decimals)
def test_what_the_screen_shows_a_price_field_accepts(amount, places):
    settings = Settings(business_name="Salon", currency="HUF", currency_decimals=places, timezone="Europe/Budapest")
    assert parse_money(on_screen(amount, settings).removesuffix(" HUF"), settings) == amount
