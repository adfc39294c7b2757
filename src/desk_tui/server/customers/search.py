"""The words a customer can be found by, normalised the same way for indexing and querying."""

from __future__ import annotations

import unicodedata


def normalise(text: str) -> str:
    """Casefolded and accent-free, so "Éva" is found by "eva" and sorts beside "Eva"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def query_words(q: str) -> list[str]:
    text = normalise(q)
    digits = "".join(c for c in text if c.isdigit())
    if digits and not any(c.isalpha() or c in "@_" for c in text):
        # A phone number, however it is typed ("+36 30 555 1234", "06-30/555"), searches by its digits.
        return [digits[:40]]
    return [w[:100] for w in text.split()[:6] if w]


def customer_terms(name: str, phone: str | None, email: str | None) -> set[str]:
    terms = {w[:254] for w in normalise(name).replace("-", " ").split()}
    if phone:
        digits = "".join(c for c in phone if c.isdigit())
        terms.add(digits)
        if digits.startswith("36") and len(digits) > 8:  # local form of a Hungarian mobile
            terms.add("06" + digits[2:])
    if email:
        email = normalise(email)
        terms.add(email[:254])
        terms.add(email.partition("@")[0][:254])
    return {t for t in terms if t}
