"""A name search where every typed word is common, read in result order and stopped at a page.

Each search term carries its customer's sort name, and the term index is (term, sort name,
customer), so the customers of one term come out of the index in result order from any point on.
A typed word covers a few distinct terms ("ko": kovacs, kozma, …), each an ordered stream; the
customers of the search are those in every word's streams. They are found by leapfrogging: from
a key, read the next few customers of each word (each word's streams merged by the database),
keep those every word has, and move on past the least of the words' last keys read, straight to
the greatest of the words' next keys beyond it ("anna ko" jumps over every Anna Balogh, Farkas, …
to the first Anna Kovács). It stops once a page and one more are
found, so a page costs the customers near it, not every customer of the words (the join of the
words' term ranges it replaces read all of them: 354 ms at 1,000,000 customers).

Every comparison of keys is the database's: the rows of a round come back in one order, and this
module only looks at their positions, so the order is the database's collation, the same as the
customer list's.

A word whose prefix covers many distinct terms (a real chain's e-mails under "ko") is not walked
but checked customer by customer on one walked word's stream; when no word can be walked, or the
walk takes too many rounds, the caller falls back to the join (:func:`walk` returns None).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import TextClause, text
from sqlalchemy.orm import Session

#: a word covering more distinct terms than this is checked, not walked
WALKED_TERMS = 32
#: rounds before giving up on the walk (names are clustered in sort order: a page takes 2–3)
ROUNDS = 12
#: the most customers read per walked term in one round (a round reads a page and one more at
#: first, and twice as many each round after)
READ_MAX = 1000
_TERM_END = "\uffff"

#: each range's distinct terms, one index probe apiece (a loose index scan), at most WALKED_TERMS + 1
_DISTINCT = """d{n}(term, k) AS (
  SELECT (SELECT term FROM customer_search_terms WHERE term >= :lo{n} AND term < :hi{n} ORDER BY term LIMIT 1), 1
  UNION ALL
  SELECT (SELECT term FROM customer_search_terms WHERE term > d{n}.term AND term < :hi{n} ORDER BY term LIMIT 1),
         d{n}.k + 1
  FROM d{n} WHERE d{n}.term IS NOT NULL AND d{n}.k <= {cap})"""

Key = tuple[str, str]


def walk(s: Session, words: list[set[str]], *, limit: int, after: Key | None) -> list[str] | None:
    """The ids of the first ``limit`` + 1 customers after ``after`` (sort name, id) matching every
    word, in result order; None when the walk does not suit these words (see the module)."""
    covered = _distinct_terms(s, words)
    walked = [i for i, terms in enumerate(covered) if len(terms) <= WALKED_TERMS]
    if not walked:
        return None
    if any(not covered[i] for i in walked):
        return []
    checked = [words[i] for i in range(len(words)) if i not in walked]
    found: list[str] = []
    low, inclusive = after, False
    n = limit + 1
    for _ in range(ROUNDS):
        rows = s.execute(_round([covered[i] for i in walked], checked, low, inclusive, n)).all()
        found += _common(rows, len(walked))
        if len(found) > limit:
            return found[:limit + 1]
        step = _next_low(rows, len(walked), n)
        if step is None:
            return found
        low, inclusive = step
        # where few of the customers read have every word, read more of them at a time
        n = min(n * 2, READ_MAX)
    return None


def _distinct_terms(s: Session, words: list[set[str]]) -> list[set[str]]:
    """Per word, the distinct terms its forms start (at most WALKED_TERMS + 1 per form)."""
    ranges = [(i, form) for i, forms in enumerate(words) for form in sorted(forms)]
    ctes = ",\n".join(_DISTINCT.format(n=n, cap=WALKED_TERMS) for n in range(len(ranges)))
    picks = " UNION ALL ".join(f"SELECT {n} AS n, term FROM d{n} WHERE term IS NOT NULL" for n in range(len(ranges)))
    params: dict[str, Any] = {}
    for n, (_, form) in enumerate(ranges):
        params[f"lo{n}"], params[f"hi{n}"] = form, form + _TERM_END
    covered: list[set[str]] = [set() for _ in words]
    for row in s.execute(text(f"WITH RECURSIVE {ctes}\n{picks}"), params):
        covered[ranges[int(row[0])][0]].add(str(row[1]))
    return covered


def _round(walked: list[set[str]], checked: list[set[str]], low: Key | None, inclusive: bool, n: int
           ) -> TextClause:
    """The next ``n`` customers of each walked word from ``low`` (the word's position, the sort
    name and id, and whether the customer has every checked word), all in one result order.

    Written as SQL text: it is a union of a few dozen small selects that SQLAlchemy's compiler
    took 250 ms to build (the database answers it in 2)."""
    params: dict[str, Any] = {"n": n}
    past = ""
    if low is not None:
        # seeks to the sort name in the index; an OR of the two columns alone is read from the
        # term's first customer on
        params["low_name"], params["low_id"] = low
        past = (" AND t.sort_name >= :low_name AND (t.sort_name > :low_name OR t.customer_id "
                f"{'>=' if inclusive else '>'} :low_id)")
    ranges = []
    for c, forms in enumerate(checked):
        either = []
        for f, form in enumerate(sorted(forms)):
            params[f"c{c}_{f}"], params[f"c{c}_{f}e"] = form, form + _TERM_END
            either.append(f"(o.term >= :c{c}_{f} AND o.term < :c{c}_{f}e)")
        ranges.append(f"EXISTS (SELECT 1 FROM customer_search_terms o WHERE o.customer_id = s0.customer_id "
                      f"AND ({' OR '.join(either)}))")
    # the first stream's customers are counted as read whether they have the checked words or not,
    # and marked: only a marked one can be common to every word
    has = f"CASE WHEN {' AND '.join(ranges)} THEN 1 ELSE 0 END" if ranges else "1"
    streams = []
    for w, terms in enumerate(walked):
        branches = []
        for b, term in enumerate(sorted(terms)):
            params[f"t{w}_{b}"] = term
            branches.append(
                f"SELECT sort_name, customer_id FROM (SELECT t.sort_name, t.customer_id FROM customer_search_terms t "
                f"WHERE t.term = :t{w}_{b}{past} ORDER BY t.sort_name, t.customer_id LIMIT :n) b{w}_{b}")
        streams.append(f"SELECT {w} AS word, sort_name, customer_id, {has if w == 0 else '1'} AS has FROM "
                       f"(SELECT sort_name, customer_id FROM ({' UNION ALL '.join(branches)}) m{w} "
                       f"ORDER BY sort_name, customer_id LIMIT :n) s{w}")
    return text(" UNION ALL ".join(streams) + " ORDER BY sort_name, customer_id, word").bindparams(**params)


def _common(rows: Sequence[Any], words: int) -> list[str]:
    """The customers every word's stream reached, in result order. A customer in every stream
    comes before each stream's last key, so no stream can be missing one of its matches."""
    found: list[str] = []
    start = 0
    while start < len(rows):
        end = start
        while end < len(rows) and rows[end].customer_id == rows[start].customer_id:
            end += 1
        if len({row.word for row in rows[start:end] if row.has}) == words:
            found.append(rows[start].customer_id)
        start = end
    return found


def _next_low(rows: Sequence[Any], words: int, n: int) -> tuple[Key, bool] | None:
    """Where the next round starts: past the least of the full streams' last keys (every stream is
    read that far), or further, at the greatest of the words' next keys read beyond it (no
    customer before that has every word); None when a stream has ended there, so nothing further
    can match."""
    # positions are counted per customer (a customer's rows share one key), so "further" means a
    # greater key, never another word's row of the same customer
    last: dict[int, int] = {}
    count = [0] * words
    keys: list[Key] = []
    placed = []
    for row in rows:
        if not keys or keys[-1][1] != row.customer_id:
            keys.append((row.sort_name, row.customer_id))
        placed.append((len(keys) - 1, row.word))
        last[row.word] = len(keys) - 1
        count[row.word] += 1
    full = [w for w in range(words) if count[w] >= n]
    if len(last) < words or not full:
        return None
    # every full stream is read up to its last key; one that came back short has nothing past its end
    done = min(last[w] for w in full)
    if any(count[w] < n and last[w] <= done for w in range(words)):
        return None
    # past `done`, a word whose next customer is already read says where the next match can start
    beyond: dict[int, int] = {}
    for at, word in placed:
        if at > done:
            beyond.setdefault(word, at)
    if beyond:
        return keys[max(beyond.values())], True
    return keys[done], False
