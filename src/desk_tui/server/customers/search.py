"""The words a customer can be found by, normalised the same way for indexing and querying.

Reception types what is in front of them: a surname as written ("Szabó-Kert"), a phone number
with spaces, in national form or only its last digits, the digits printed on a card. Every term
is matched as a prefix (an indexed range scan); where the end of something is what gets typed
(phone numbers, card numbers) its digit suffixes are terms too, so "6543" finds "+36 20 987 6543"
without a ``LIKE '%…%'`` scan.
"""

from __future__ import annotations

import re
import unicodedata

from desk_tui.server.customers.phones import phone_forms, query_phone_forms

#: the shortest digit suffix indexed: "the last four digits" of a phone or a card
SUFFIX_MIN = 4
TERM_MAX = 254
_DIGIT_RUN = re.compile(r"\d+")


def normalise(text: str) -> str:
    """Casefolded and accent-free, so "Éva" is found by "eva" and sorts beside "Eva"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def digit_suffixes(digits: str) -> set[str]:
    """"209876543" → itself, "09876543", …, "6543": what a search by its end is matched against."""
    return {digits[i:] for i in range(0, max(len(digits) - SUFFIX_MIN, 0) + 1)} if digits else set()


def query_words(q: str, *, region: str = "HU") -> list[set[str]]:
    """One set per typed word; a customer matches when every word starts one of their terms,
    where a word may be written more than one way (a phone number as dialled or as stored)."""
    text = normalise(q)
    digits = "".join(c for c in text if c.isdigit())
    if digits and not any(c.isalpha() or c in "@_" for c in text):
        # A phone number, however it is typed ("+36 30 555 1234", "06-30/555", "987 6543"),
        # searches by its digits: as typed, and as the number it is in the salon's country.
        return [{d[:40] for d in query_phone_forms(text, region=region)}]
    return [{w[:100]} for w in text.split()[:6] if w]


def last_digits(number: str) -> str:
    """The digits a card number ends in ("BS-1005" → "1005"; "" when it ends in a letter)."""
    runs = _DIGIT_RUN.findall(number)
    return runs[-1] if runs and number.endswith(runs[-1]) else ""


def number_terms(number: str) -> set[str]:
    """A card number: as written ("bs-1005") and by its last digits ("1005", "005" is too short)."""
    key = normalise(number)[:TERM_MAX]
    return {key} | digit_suffixes(last_digits(key)) if key else set()


def customer_terms(name: str, phone: str | None, email: str | None, *, region: str = "HU") -> set[str]:
    words = normalise(name).split()
    # "Szabó-Kert" is found as typed and by either part.
    terms = {w[:TERM_MAX] for w in words} | {p[:TERM_MAX] for w in words for p in w.split("-")}
    if phone:
        for form in phone_forms(phone, region=region):
            terms |= digit_suffixes(form)
    if email:
        email = normalise(email)
        terms.add(email[:TERM_MAX])
        terms.add(email.partition("@")[0][:TERM_MAX])
    return {t for t in terms if t}
