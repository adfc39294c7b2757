"""A name search where every typed word is common, read in result order and stopped at a page.

Each search term carries its customer's sort name, and the term index is (term, sort name,
customer), so the customers of one term come out of the index in result order from any point on.
A typed word covers a few distinct terms ("ko": kovacs, kozma, …), each an ordered stream; the
customers of the search are those in every word's streams. They are found by leapfrogging: from
a key, read the next few customers of each word (each word's streams merged by the database),
keep those every word has, and move on past the least of the words' last keys read, straight to
the greatest of the words' next keys beyond it ("anna ko" jumps over every Anna Balogh, Farkas, …
to the first Anna Kovács). The first round starts at the furthest of the words' first customers
past the key (customers/coverage.py reads them): no customer before it has every word, and
"zsofia ko" starts at the first Zsófia, where it used to spend a round on the Kovácses of every
other first name. It stops once a page and one more are found, so a page costs the customers
near it, not every customer of the words (the join of the words' term ranges it replaces read
all of them: 354 ms at 1,000,000 customers).

Every comparison of keys is the database's: the rows of a round come back in one order, and this
module only looks at their positions, so the order is the database's collation, the same as the
customer list's.

A word whose prefix covers many distinct terms (a real chain's e-mails under "ko") is not walked
but checked customer by customer on one walked word's stream; when no word can be walked, or the
walk takes too many rounds, the caller falls back to the join (:func:`walk` returns None).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from desk_tui.server.customers.coverage import TERM_END, Key
from desk_tui.server.database import UTCDateTime
from desk_tui.server.driver_statements import DriverStatement

#: a word covering more distinct terms than this is checked, not walked
WALKED_TERMS = 32
#: rounds before giving up on the walk (names are clustered in sort order: a page takes 2–3)
ROUNDS = 12
#: the most customers read per walked term in one round (a round reads a page and one more at
#: first, and twice as many each round after)
READ_MAX = 1000
#: a found customer's row in a round: -1, sort name, id, 1, name, phone, e-mail, store credit, created at
FOUND = -1


def walk(s: Session, words: list[set[str]], covered: list[set[str]], *, limit: int, after: Key | None,
         start: Key | None = None) -> list[Any] | None:
    """The first ``limit`` + 1 customers after ``after`` (sort name, id) matching every word, in
    result order, as rows (-1, sort name, id, 1, name, phone, e-mail, store credit, created at);
    None when the walk does not suit these words (see the module). ``covered``: per word, the
    distinct terms it starts (customers/coverage.py, at most WALKED_TERMS + 1 per form);
    ``start``: the furthest of the walked words' first customers after ``after``, where the
    first round starts (coverage.py), when known."""
    walked = [i for i, terms in enumerate(covered) if len(terms) <= WALKED_TERMS]
    if not walked:
        return None
    if any(not covered[i] for i in walked):
        return []
    checked = [words[i] for i in range(len(words)) if i not in walked]
    found: list[Any] = []
    low, inclusive = (start, True) if start is not None else (after, False)
    n = limit + 1
    arrays = s.get_bind().dialect.name == "postgresql"
    for _ in range(ROUNDS):
        statement, params = _round([covered[i] for i in walked], checked, low, inclusive, n,
                                   limit + 1 - len(found), arrays=arrays)
        rows = statement.all(s, params)
        found += [row for row in rows if row[0] == FOUND]
        if len(found) > limit:
            return found[:limit + 1]
        step = _next_low(rows, len(walked), n)
        if step is None:
            return found
        low, inclusive = step
        # where few of the customers read have every word, read more of them at a time
        n = min(n * 2, READ_MAX)
    return None


def _round(walked: list[set[str]], checked: list[set[str]], low: Key | None, inclusive: bool, n: int,
           need: int, *, arrays: bool = False) -> tuple[DriverStatement, dict[str, Any]]:
    """The next ``n`` customers of each walked word from ``low`` (the word's position, the sort
    name and id, and whether the customer has every checked word), all in one result order, and
    the first ``need`` of them that every word has, with their customer's row (word -1): the
    statement, built once per shape (:func:`_round_text`), and its parameters. ``arrays``
    (PostgreSQL): each walked word's terms are one array parameter, not one parameter apiece."""
    params: dict[str, Any] = {"n": n, "need": need}
    if low is not None:
        params["ln"], params["li"] = low
    for c, forms in enumerate(checked):
        for f, form in enumerate(sorted(forms)):
            params[f"c{c}_{f}"], params[f"c{c}_{f}e"] = form, form + TERM_END
    for w, terms in enumerate(walked):
        if arrays:
            params[f"t{w}"] = sorted(terms)
        else:
            params.update({f"t{w}_{b}": term for b, term in enumerate(sorted(terms))})
    # with arrays, the shape no longer counts a word's terms: a few dozen shapes become a handful
    sizes = (0,) * len(walked) if arrays else tuple(len(t) for t in walked)
    shape = (sizes, tuple(len(f) for f in checked), None if low is None else inclusive)
    return _round_text(*shape), params


@lru_cache(maxsize=256)
def _round_text(walked: tuple[int, ...], checked: tuple[int, ...], inclusive: bool | None) -> DriverStatement:
    """A round's SQL for this many terms per walked word (0: its terms are one array, PostgreSQL)
    and forms per checked word, from the start (``inclusive`` None) or from a key: one text and one statement object per shape, so neither
    SQLAlchemy nor psycopg parses it again (psycopg caches a query's conversion up to 4,096
    characters: hence the short names), and PostgreSQL runs it prepared after a few.

    Written as SQL text: it is a union of a few dozen small selects that SQLAlchemy's compiler
    took 250 ms to build (the database answers it in 2)."""
    # seeks to the sort name in the index; an OR of the two columns alone is read from the
    # term's first customer on
    past = "" if inclusive is None else (
        f" AND sort_name>=:ln AND (sort_name>:ln OR customer_id{'>=' if inclusive else '>'}:li)")
    ranges = []
    for c, forms in enumerate(checked):
        either = " OR ".join(f"(o.term>=:c{c}_{f} AND o.term<:c{c}_{f}e)" for f in range(forms))
        ranges.append(f"EXISTS(SELECT 1 FROM customer_search_terms o WHERE o.customer_id=s0.c AND ({either}))")
    # the first stream's customers are counted as read whether they have the checked words or not,
    # and marked: only a marked one can be common to every word
    has = f"CASE WHEN {' AND '.join(ranges)} THEN 1 ELSE 0 END" if ranges else "1"
    streams = []
    for w, terms in enumerate(walked):
        if not terms:
            # PostgreSQL, the terms an array (:func:`_round`): the same n customers per term, one
            # probe of the index per term in a lateral join; a union of a branch per term cost
            # PostgreSQL 3x as much to plan as to run, and a shape per number of terms that kept
            # its statements from being prepared
            streams.append(f"SELECT {w} w,s,c,{has if w == 0 else '1'} h FROM(SELECT s,c FROM unnest(CAST(:t{w} AS text[]))"
                           f" t{w}(term) CROSS JOIN LATERAL(SELECT sort_name s,customer_id c FROM customer_search_terms "
                           f"WHERE term=t{w}.term{past} ORDER BY sort_name,customer_id LIMIT :n)b{w} ORDER BY s,c LIMIT :n)s{w}")
            continue
        branches = " UNION ALL ".join(
            f"SELECT * FROM(SELECT sort_name s,customer_id c FROM customer_search_terms WHERE term=:t{w}_{b}{past} "
            f"ORDER BY sort_name,customer_id LIMIT :n)b{w}_{b}" for b in range(terms))
        streams.append(f"SELECT {w} w,s,c,{has if w == 0 else '1'} h FROM(SELECT s,c FROM({branches})m{w} "
                       f"ORDER BY s,c LIMIT :n)s{w}")
    # a customer every word's stream reached (the first's marked) comes before each stream's last
    # key, so no stream can be missing one of its matches; their rows ride along, so the page
    # needs no statement of its own
    found = (f"SELECT {FOUND},g.s,g.c,1,u.name,u.phone,u.email,u.store_credit,u.created_at FROM(SELECT s,c FROM r "
             f"GROUP BY s,c HAVING count(DISTINCT CASE WHEN h=1 THEN w END)={len(walked)} ORDER BY s,c LIMIT :need)g "
             "JOIN customers u ON u.id=g.c")
    return DriverStatement(text(
        f"WITH r AS({' UNION ALL '.join(streams)}) SELECT w,s,c,h,NULL AS name,NULL AS phone,NULL AS email,"
        f"NULL AS store_credit,NULL AS created_at FROM r UNION ALL {found} ORDER BY 2,3,1").columns(created_at=UTCDateTime))


def _next_low(rows: Sequence[Any], words: int, n: int) -> tuple[Key, bool] | None:
    """Where the next round starts: past the least of the full streams' last keys (every stream is
    read that far), or further, at the greatest of the words' next keys read beyond it (no
    customer before that has every word); None when a stream has ended there, so nothing further
    can match."""
    # positions are counted per customer (a customer's rows share one key), so "further" means a
    # greater key, never another word's row of the same customer
    last = [-1] * words
    count = [0] * words
    keys: list[Key] = []
    placed = []
    for word, sort_name, who, *_ in rows:
        if word == FOUND:
            continue
        if not keys or keys[-1][1] != who:
            keys.append((sort_name, who))
        at = len(keys) - 1
        placed.append((at, word))
        last[word] = at
        count[word] += 1
    full = [w for w in range(words) if count[w] >= n]
    if -1 in last or not full:
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
