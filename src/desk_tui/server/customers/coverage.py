"""What each typed word covers, asked in one statement for all the words: how many search terms
start with it (counted up to a cap: is the word rare?) and, when every word is common, which
distinct terms it starts (at most the walk's limit and one more per way of writing it: can the
word be walked?).

The two were a statement each; a name search where every word is common needs both, and each
statement is a round trip (at 1,000,000 customers on a busy PostgreSQL, 1–8 ms apiece).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import TextClause, text
from sqlalchemy.orm import Session

TERM_END = "\uffff"

#: each range's distinct terms, one index probe apiece (a loose index scan), at most cap + 1; read
#: only when every word is common (counted to the cap), the one case that walks
_DISTINCT = """d{n}(term,k) AS (
  SELECT (SELECT term FROM customer_search_terms WHERE term>=:lo{n} AND term<:hi{n} ORDER BY term LIMIT 1),1
  FROM counted WHERE {common}
  UNION ALL
  SELECT (SELECT term FROM customer_search_terms WHERE term>d{n}.term AND term<:hi{n} ORDER BY term LIMIT 1),d{n}.k+1
  FROM d{n} WHERE d{n}.term IS NOT NULL AND d{n}.k<={cap})"""


@dataclass(frozen=True)
class Coverage:
    #: per word, its terms counted up to the cap (a word counted to the cap is common)
    counts: list[int]
    #: per word, the distinct terms its forms start (none read unless every word is common)
    terms: list[set[str]]


def cover(s: Session, words: list[set[str]], *, counted_to: int, distinct_to: int) -> Coverage:
    """Per word (a set of ways it may be written, each matched as a prefix): its terms counted up
    to ``counted_to``, and its distinct terms, at most ``distinct_to`` + 1 per form."""
    if not words:
        return Coverage([], [])
    ranges = [(i, form) for i, forms in enumerate(words) for form in sorted(forms)]
    params: dict[str, Any] = {"cap": counted_to}
    for n, (_, form) in enumerate(ranges):
        params[f"lo{n}"], params[f"hi{n}"] = form, form + TERM_END
    counts = [0] * len(words)
    terms: list[set[str]] = [set() for _ in words]
    shape = tuple(len(forms) for forms in words)
    row: Any
    for row in s.execute(_statement(shape, distinct_to), params):
        n, term, count = row
        if n < 0:
            counts[-1 - n] = int(count)
        else:
            terms[ranges[n][0]].add(term)
    return Coverage(counts, terms)


@lru_cache(maxsize=64)
def _statement(forms: tuple[int, ...], distinct_to: int) -> TextClause:
    """For words of this many forms each: a row (-1 - word, NULL, count) per word, then a row
    (range, term, NULL) per distinct term when every word is common. Built once per shape, the
    values bound."""
    counts, first = [], 0
    for word, many in enumerate(forms):
        either = " OR ".join(f"(term>=:lo{n} AND term<:hi{n})" for n in range(first, first + many))
        first += many
        counts.append(f"(SELECT count(*) FROM (SELECT 1 FROM customer_search_terms WHERE {either} LIMIT :cap) x{word}) "
                      f"AS c{word}")
    common = " AND ".join(f"c{word}>=:cap" for word in range(len(forms)))
    ctes = [f"counted AS (SELECT {','.join(counts)})"]
    ctes += [_DISTINCT.format(n=n, cap=distinct_to, common=common) for n in range(sum(forms))]
    rows = [f"SELECT {-1 - word} AS n,NULL AS term,c{word} AS c FROM counted" for word in range(len(forms))]
    rows += [f"SELECT {n},term,NULL FROM d{n} WHERE term IS NOT NULL" for n in range(sum(forms))]
    return text("WITH RECURSIVE " + ",\n".join(ctes) + "\n" + " UNION ALL ".join(rows))
