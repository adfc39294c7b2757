"""A name search walked in result order (customers/walk.py) finds what the join of the words' term
ranges finds, in the same order, page by page, on both engines.

The join is the walk's fallback (a word covering too many distinct terms); with ``WALKED_TERMS``
set below zero no word is walked, so the same service function answers both ways. ``RARE`` is 0,
so every word counts as common and goes to the walk (a few hundred customers instead of a chain's
thousands). Names, hyphenated surnames and e-mails are drawn so that typed prefixes cover several
distinct terms, customers share their sort names, and some words cover more terms than the walk
takes (they are then checked on the walked word's customers).
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from desk_tui.contract import customers as wire
from desk_tui.server.auth.principal import Principal
from desk_tui.server.customers import service, walk
from desk_tui.server.database import Database, utcnow
from tests.support.demo_copy import fill_with_demo

FIRST = ["Anna", "Annamária", "Anikó", "Andrea", "Eszter", "Emese", "Kornélia"]
LAST = ["Kovács", "Kozma", "Kiss", "Kocsis", "Szabó-Kovács", "Anderson", "Eke"]
QUERIES = ["an ko", "anna ko", "a k", "ko an", "e k", "k a", "an ko k", "anna kovacs", "kovacs anna", "a a",
           "sz ko", "e e", "kor ko", "andr k", "an example"]
ME = Principal(staff_id="stf_manager", staff_name="Márton Kiss", role="manager", location_id="loc_downtown",
               token_hash="test", expires_at=utcnow() + timedelta(days=1))


@pytest.fixture(scope="module")
def db(engine, new_db_url):
    # The demo salon copied (demo_copy.py), not seeded again: seeding it here cost seconds per
    # engine, four argon2 hashes at the product's cost among them; the copy is the same salon.
    url = new_db_url(engine)
    fill_with_demo(url)
    database = Database(url)
    rnd = random.Random(24)
    with database.transaction() as s:
        for n in range(150):
            first, last = rnd.choice(FIRST), rnd.choice(LAST)
            # a few share a whole name (the id orders them); some have an e-mail, a term of its own
            name = f"{first} {last}" if n % 5 == 0 else f"{first} {last} {rnd.randrange(40)}"
            email = f"{last.split('-')[0].lower()}.{first.lower()}{n}@example.hu" if n % 3 == 0 else None
            service.create_customer(s, data=wire.CustomerCreate(name=name, email=email), me=ME)
    yield database
    database.dispose()


def _pages(db: Database, q: str, limit: int) -> list[list[str]]:
    pages: list[list[str]] = []
    cursor = None
    while len(pages) < 200:
        with db.read_session() as s:
            items, cursor = service.search_customers(s, q=q, limit=limit, cursor=cursor)
        pages.append([x.id for x in items])
        if cursor is None:
            return pages
    raise AssertionError(f"{q!r} pages on and on")


@pytest.mark.parametrize("walked_terms", [walk.WALKED_TERMS, 2])
def test_the_walk_finds_what_the_join_finds_in_the_same_order(db, monkeypatch, walked_terms):
    monkeypatch.setattr(service, "RARE", 0)
    for q in QUERIES:
        for limit in (3, 25, 500):
            monkeypatch.setattr(walk, "WALKED_TERMS", -1)
            joined = _pages(db, q, limit)
            monkeypatch.setattr(walk, "WALKED_TERMS", walked_terms)
            walked = _pages(db, q, limit)
            assert walked == joined, (q, limit)
    assert any(len(x) > 2 for x in _pages(db, "a k", 500)[:1]), "the queries must find customers"


def test_the_walk_stops_at_a_page(db, monkeypatch):
    """A page of four out of the many 'an ko' customers takes a couple of rounds, not one per customer."""
    monkeypatch.setattr(service, "RARE", 0)
    rounds = []
    real = walk._round

    def counted(*args, **kwargs):
        rounds.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(walk, "_round", counted)
    with db.read_session() as s:
        items, cursor = service.search_customers(s, q="an ko", limit=4, cursor=None)
    assert len(items) == 4 and cursor is not None
    assert 1 <= len(rounds) <= 3


def test_a_customer_where_one_word_stops_and_another_starts_is_read_once():
    """One word's rows end at X and another's start at X (X has both): X is found in this round
    (the round's statement returns it as a row of its own, word -1), and the next starts past X
    (at the other word's next customer, Y), not at X, or X would be on two pages."""
    # (word, sort name, id, marked, and for a found customer their row) as a round's statement returns them
    rows = [(0, "anna a", "cus_1", 1), (walk.FOUND, "anna x", "cus_x", 1, "Anna X"), (0, "anna x", "cus_x", 1),
            (1, "anna x", "cus_x", 1), (1, "anna y", "cus_y", 1)]
    assert walk._next_low(rows, 2, 2) == (("anna y", "cus_y"), True)


def test_rounds_share_a_statement_on_postgresql_whatever_the_terms(db, monkeypatch):
    """On PostgreSQL a walked word's terms are one array parameter, so words covering 3 or 15
    distinct terms send one statement (prepared after a few runs, its plan then reused); a union
    of a branch per term was a statement per number of terms, planned on nearly every search at
    3x its running time. SQLite keeps a branch per term (it has no arrays)."""
    monkeypatch.setattr(service, "RARE", 0)
    sent: list[tuple[tuple[int, ...], str, bool | None]] = []
    real = walk._round

    def recorded(walked, checked, low, inclusive, *args, **kwargs):
        statement, params = real(walked, checked, low, inclusive, *args, **kwargs)
        if not checked:
            sent.append((tuple(len(t) for t in walked), str(statement), None if low is None else inclusive))
        return statement, params

    monkeypatch.setattr(walk, "_round", recorded)
    for q in QUERIES:
        _pages(db, q, 25)
    postgresql = db.engine.dialect.name == "postgresql"
    # rounds of two walked words, by where they start (the start, a key, past a key)
    groups: dict[bool | None, tuple[set[tuple[int, ...]], set[str]]] = {}
    for terms, text, inclusive in sent:
        if len(terms) == 2:
            shapes, texts = groups.setdefault(inclusive, (set(), set()))
            shapes.add(terms)
            texts.add(text)
    varied = [(shapes, texts) for shapes, texts in groups.values() if len(shapes) > 1]
    assert varied, groups  # the queries' words cover different numbers of terms
    for shapes, texts in varied:
        assert len(texts) == (1 if postgresql else len(shapes)), shapes
