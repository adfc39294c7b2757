"""The intent journal on its own: which key a write gets, what settles it, what survives a restart."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta

import pytest

from desk_tui.client.intents import KEY_LIFETIME, IntentJournal, fingerprint, is_definitive

BOOK = fingerprint("POST", b"/v1/appointments", b'{"customer_id":"cus_1"}')


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def journal(tmp_path, clock):
    def make(server: str = "http://salon.example") -> IntentJournal:
        return IntentJournal(tmp_path / "intents", server, clock=clock)

    return make


def test_the_same_write_gets_its_key_again_until_settled(journal):
    j = journal()
    first = j.open("stf_anna", BOOK, "POST /v1/appointments")
    again = j.open("stf_anna", BOOK, "POST /v1/appointments")
    assert again.key == first.key and again.retry and not first.retry
    j.settle(again)
    after = j.open("stf_anna", BOOK, "POST /v1/appointments")
    assert after.key != first.key and not after.retry


def test_a_new_instance_on_the_same_folder_reuses_the_key(journal, tmp_path):
    first = journal().open("stf_anna", BOOK, "POST /v1/appointments")
    restarted = journal()
    assert restarted.pending("stf_anna") == ["POST /v1/appointments"]
    assert restarted.open("stf_anna", BOOK, "POST /v1/appointments").key == first.key
    (file,) = (tmp_path / "intents").iterdir()
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert "cus_1" not in file.read_text()  # a fingerprint, never the body


def test_another_staff_member_or_server_or_body_is_another_intent(journal):
    key = journal().open("stf_anna", BOOK, "x").key
    assert journal().open("stf_bela", BOOK, "x").key != key
    assert journal("http://other.example").open("stf_anna", BOOK, "x").key != key
    other_body = fingerprint("POST", b"/v1/appointments", b'{"customer_id":"cus_2"}')
    assert journal().open("stf_anna", other_body, "x").key != key
    assert journal().open("stf_anna", BOOK, "x").key == key


def test_entries_older_than_the_servers_key_lifetime_are_dropped(journal, clock):
    key = journal().open("stf_anna", BOOK, "POST /v1/appointments").key
    clock.now += KEY_LIFETIME - timedelta(minutes=1)
    assert journal().open("stf_anna", BOOK, "POST /v1/appointments").key == key
    clock.now += timedelta(minutes=2)
    assert journal().pending("stf_anna") == []
    assert journal().open("stf_anna", BOOK, "POST /v1/appointments").key != key


def test_a_corrupt_journal_counts_as_empty(journal, tmp_path):
    j = journal()
    j.open("stf_anna", BOOK, "x")
    (file,) = (tmp_path / "intents").iterdir()
    file.write_text("{not json")
    assert j.pending("stf_anna") == []
    file.write_text(json.dumps({"server": "http://salon.example", "staff": "stf_anna",
                                "intents": {BOOK: {"key": 5, "at": "yesterday", "what": "x"}}}))
    assert j.pending("stf_anna") == []
    assert not j.open("stf_anna", BOOK, "x").retry


def test_a_journal_that_cannot_be_written_keeps_going_in_memory(tmp_path, clock):
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    j = IntentJournal(blocked / "intents", "http://salon.example", clock=clock)  # its folder cannot exist
    first = j.open("stf_anna", BOOK, "x")
    assert j.open("stf_anna", BOOK, "x").key == first.key


def test_without_a_folder_it_lives_in_memory(clock):
    j = IntentJournal(None, "http://salon.example", clock=clock)
    first = j.open("stf_anna", BOOK, "x")
    assert j.open("stf_anna", BOOK, "x").key == first.key
    j.settle(first)
    assert j.pending("stf_anna") == []


@pytest.mark.parametrize(("status", "code", "definitive"), [
    (None, "timeout", False), (None, "offline", False), (500, "internal_error", False),
    (503, "server_error", False), (401, "unauthenticated", False), (429, "too_many_attempts", False),
    (409, "request_in_progress", False),
    (409, "insufficient_units", True), (412, "version_conflict", True), (422, "validation_error", True),
    (422, "idempotency_key_reused", True), (404, "not_found", True), (403, "forbidden_role", True),
])
def test_what_settles_an_intent(status, code, definitive):
    assert is_definitive(status, code) is definitive
