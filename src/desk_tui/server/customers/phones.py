"""Phone numbers as digits: one stored form to compare, and the forms a search is matched by.

Numbers are typed in every form ("+36 20 987 6543", "06 20 987 6543", "20/987-6543"); read in
the salon's country (``org_settings.phone_region``) they are all the same number, stored as its
international digits ("36209876543"), which is what "already on file" compares.
"""

from __future__ import annotations

import phonenumbers

#: more digits than any phone number has: typed noise is not worth parsing
_DIGITS_MAX = 20


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())[:_DIGITS_MAX]


def _parsed(text: str, region: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(text[:60], region)
    except phonenumbers.NumberParseException:
        return None


def stored_digits(phone: str | None, *, region: str) -> str | None:
    """The international digits ("36209876543") of a plausible number, else the digits as typed."""
    if not phone or not (digits := _digits(phone)):
        return None
    number = _parsed(phone, region)
    if number is not None and phonenumbers.is_possible_number(number):
        return f"{number.country_code}{phonenumbers.national_significant_number(number)}"
    return digits


def phone_forms(phone: str, *, region: str) -> set[str]:
    """What a stored number is indexed by: its international digits and the digits as typed
    (a suffix of either is then a search term)."""
    forms = {_digits(phone)}
    if (digits := stored_digits(phone, region=region)) is not None:
        forms.add(digits)
    return {f for f in forms if f}


def query_phone_forms(text: str, *, region: str) -> set[str]:
    """A typed number: its digits as typed ("06209876543"), and the national number it is in the
    salon's country ("209876543"), which is how every stored number ends."""
    forms = {_digits(text)}
    number = _parsed(text, region)
    if number is not None:
        forms.add(phonenumbers.national_significant_number(number)[:_DIGITS_MAX])
    return {f for f in forms if f}
