"""What each typed word covers, asked in one statement for all the words: how many search terms
start with it (counted up to a cap: is the word rare?) and, when every word is common, which
distinct terms it starts (at most the walk's limit and one more per way of writing it: can the
word be walked?) and where the walk starts: the furthest of the walkable words' first customers
past the page's key (no customer before it has every word; the database compares the keys).

The two were a statement each; a name search where every word is common needs both, and each
statement is a round trip (at 1,000,000 customers on a busy PostgreSQL, 1–8 ms apiece).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from desk_tui.server.driver_statements import DriverStatement

TERM_END = "\uffff"

#: each range's distinct terms, one index probe apiece (a loose index scan), at most cap + 1; read
#: only when every word is common (counted to the cap), the one case that walks
_DISTINCT = """d{n}(term,k) AS (
  SELECT (SELECT term FROM customer_search_terms WHERE term>=:lo{n} AND term<:hi{n} ORDER BY term LIMIT 1),1
  FROM counted WHERE {common}
  UNION ALL
  SELECT (SELECT term FROM customer_search_terms WHERE term>d{n}.term AND term<:hi{n} ORDER BY term LIMIT 1),d{n}.k+1
  FROM d{n} WHERE d{n}.term IS NOT NULL AND d{n}.k<={cap})"""
#: each distinct term's first customer past the key (:ln, :li when there is one), one index probe
_FIRST = "(SELECT {col} FROM customer_search_terms x WHERE x.term=d{n}.term{past} ORDER BY sort_name,customer_id LIMIT 1)"
_PAST = " AND x.sort_name>=:ln AND (x.sort_name>:ln OR x.customer_id>:li)"
#: the row that carries the walk's start (its sort name as the term, its id as the customer)
START = -100
Key = tuple[str, str]


@dataclass(frozen=True)
class Coverage:
    #: per word, its terms counted up to the cap (a word counted to the cap is common)
    counts: list[int]
    #: per word, the distinct terms its forms start (none read unless every word is common)
    terms: list[set[str]]
    #: the furthest of the walkable words' first customers past the key: the walk starts there
    #: (None unless every word is common and a walkable word has a customer past the key)
    start: Key | None = None


def cover(s: Session, words: list[set[str]], *, counted_to: int, distinct_to: int, after: Key | None = None
          ) -> Coverage:
    """Per word (a set of ways it may be written, each matched as a prefix): its terms counted up
    to ``counted_to``, its distinct terms, at most ``distinct_to`` + 1 per form, and the first
    customer after ``after`` (sort name, id) of each word covering at most ``distinct_to``."""
    if not words:
        return Coverage([], [])
    ranges = [(i, form) for i, forms in enumerate(words) for form in sorted(forms)]
    params: dict[str, Any] = {"cap": counted_to, "walked": distinct_to}
    if after is not None:
        params["ln"], params["li"] = after
    for n, (_, form) in enumerate(ranges):
        params[f"lo{n}"], params[f"hi{n}"] = form, form + TERM_END
    counts = [0] * len(words)
    terms: list[set[str]] = [set() for _ in words]
    shape = tuple(len(forms) for forms in words)
    start = None
    row: Any
    for row in _statement(shape, distinct_to, after is not None).all(s, params):
        n, term, count, who = row
        if n == START:
            start = (term, who)
        elif n < 0:
            counts[-1 - n] = int(count)
        else:
            terms[ranges[n][0]].add(term)
    return Coverage(counts, terms, start)


@lru_cache(maxsize=64)
def _statement(forms: tuple[int, ...], distinct_to: int, past: bool) -> DriverStatement:
    """For words of this many forms each: a row (-1 - word, NULL, count, NULL) per word, then a row
    (range, term, NULL, NULL) per distinct term and one (START, sort name, NULL, id) when every
    word is common. Built once per shape (``past``: with a key to start after), the values bound."""
    counts, first = [], 0
    for word, many in enumerate(forms):
        either = " OR ".join(f"(term>=:lo{n} AND term<:hi{n})" for n in range(first, first + many))
        first += many
        counts.append(f"(SELECT count(*) FROM (SELECT 1 FROM customer_search_terms WHERE {either} LIMIT :cap) x{word}) "
                      f"AS c{word}")
    common = " AND ".join(f"c{word}>=:cap" for word in range(len(forms)))
    ctes = [f"counted AS (SELECT {','.join(counts)})"]
    ctes += [_DISTINCT.format(n=n, cap=distinct_to, common=common) for n in range(sum(forms))]
    ctes += _start(forms, past)
    rows = [f"SELECT {-1 - word} AS n,NULL AS term,c{word} AS c,NULL AS who FROM counted" for word in range(len(forms))]
    rows += [f"SELECT {n},term,NULL,NULL FROM d{n} WHERE term IS NOT NULL" for n in range(sum(forms))]
    rows += [f"SELECT {START},s,NULL,c FROM st"]
    return DriverStatement(text("WITH RECURSIVE " + ",\n".join(ctes) + "\n" + " UNION ALL ".join(rows)))


def _start(forms: tuple[int, ...], past: bool) -> list[str]:
    """The CTEs of the walk's start: each distinct term's first customer past the key (f), each
    word's first (w, with how many distinct terms it covers), the furthest of the walkable words'
    (st). A word covering more terms than the walk takes has only its first terms read, so its
    first customer is not known: it is left out (the walk checks it, customers/walk.py)."""
    ctes, first = [], 0
    for n in range(sum(forms)):
        probe = [_FIRST.format(col=col, n=n, past=_PAST if past else "") for col in ("sort_name", "customer_id")]
        ctes.append(f"f{n}(s,c) AS (SELECT {probe[0]},{probe[1]} FROM d{n} WHERE term IS NOT NULL)")
    for word, many in enumerate(forms):
        mine = range(first, first + many)
        first += many
        firsts = " UNION ALL ".join(f"SELECT s,c FROM f{n}" for n in mine)
        covered = " UNION ALL ".join(f"SELECT term FROM d{n}" for n in mine)
        ctes.append(f"w{word}(s,c,t) AS (SELECT s,c,(SELECT count(DISTINCT term) FROM ({covered}) y) "
                    f"FROM ({firsts}) x WHERE s IS NOT NULL ORDER BY s,c LIMIT 1)")
    walked = " UNION ALL ".join(f"SELECT s,c FROM w{word} WHERE t<=:walked" for word in range(len(forms)))
    ctes.append(f"st(s,c) AS (SELECT s,c FROM ({walked}) z ORDER BY s DESC,c DESC LIMIT 1)")
    return ctes
