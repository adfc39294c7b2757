"""`desk-tui admin backup` and `restore`: a copy taken while reception keeps saving customers
through the real server is one consistent moment, and a server on the restored copy answers
with it."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import insert

from desk_tui.cli import main
from desk_tui.server.database import Database, utcnow
from desk_tui.server.events import service as events
from desk_tui.server.events.models import EventRow
from tests.conftest import ENGINES
from tests.support.api_client import key, login
from tests.support.live_server import LiveServer


class Writer:
    """Reception saving new customers one after another until told to stop; ``ids`` in the order
    the server confirmed them."""

    def __init__(self, url: str) -> None:
        self.desk = login(url, "reception")
        self.ids: list[str] = []
        self.errors: list[BaseException] = []
        self.stop = threading.Event()
        self._wrote = threading.Condition()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            while not self.stop.is_set():
                r = self.desk.post("/customers", json={"name": f"Writer Client {len(self.ids):05d}"}, headers=key())
                assert r.status_code == 201, r.text
                with self._wrote:
                    self.ids.append(r.json()["id"])
                    self._wrote.notify_all()
        except BaseException as exc:
            self.errors.append(exc)
            with self._wrote:
                self._wrote.notify_all()

    def wait_for(self, count: int) -> None:
        with self._wrote:
            assert self._wrote.wait_for(lambda: len(self.ids) >= count or self.errors, timeout=60), "writer stalled"
        assert not self.errors, self.errors

    def __enter__(self) -> Writer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self._thread.join(30)
        self.desk.close()


def _admin(url: str, *args: str) -> int:
    return main(["admin", "--db", url, *args])


def test_a_backup_taken_while_the_server_writes_restores_into_a_server_that_answers_with_it(
        api, engine, new_db_url, tmp_path, capsys):
    file = tmp_path / "salon.backup"
    with Writer(api.url) as writer:
        writer.wait_for(5)
        before = len(writer.ids)
        assert _admin(api.db_url, "backup", str(file)) == 0
        during = len(writer.ids)
        writer.wait_for(during + 5)  # the server kept taking writes after the copy too
        assert "Backed up" in capsys.readouterr().out
    assert not writer.errors, writer.errors

    restored = new_db_url(engine)
    assert _admin(restored, "restore", str(file)) == 0
    assert "Restored" in capsys.readouterr().out
    with LiveServer(restored, demo=False) as copy, login(copy.url, "reception") as desk:
        found = [desk.get(f"/customers/{cid}").status_code for cid in writer.ids]
        kept = found.count(200)
        # One moment: every customer saved before the copy began, none saved after it ended, and
        # what it holds of those in between is a prefix of the order they were saved in.
        assert before <= kept <= during + 1
        assert found == [200] * kept + [404] * (len(found) - kept)
        assert desk.get("/customers", params={"q": "Writer Client 00000"}).json()["items"][0]["name"] == \
            "Writer Client 00000"
        assert len(desk.get("/services").json()) >= 10  # the demo salon came along


def _small_salon(url: str) -> None:
    """A salon with one location and one receptionist: quicker to make than the demo."""
    assert _admin(url, "init", "--business-name", "Small Salon", "--location", "Downtown") == 0
    assert _admin(url, "create-staff", "--username", "reception", "--name", "Réka Tóth", "--role", "reception",
                  "--location", "Downtown", "--pin", "1111") == 0


@pytest.mark.parametrize("engine_name", ENGINES)
def test_restore_refuses_a_database_with_data_unless_forced(engine_name, new_db_url, tmp_path, capsys):
    file = tmp_path / "salon.backup"
    url = new_db_url(engine_name)
    _small_salon(url)
    with LiveServer(url, demo=False) as server:
        with login(server.url, "reception") as desk:
            kept = desk.post("/customers", json={"name": "Saved Before The Backup"}, headers=key()).json()["id"]
        assert _admin(server.db_url, "backup", str(file)) == 0
        with login(server.url, "reception") as desk:
            later = desk.post("/customers", json={"name": "Saved After The Backup"}, headers=key()).json()["id"]
        capsys.readouterr()
        assert _admin(server.db_url, "restore", str(file)) == 2
        err = capsys.readouterr().err
        assert "already holds data" in err and "--force" in err
        with login(server.url, "reception") as desk:
            assert desk.get(f"/customers/{later}").status_code == 200  # nothing was touched
    # Forced (the server stopped, as the message asks): the database is the backup again.
    assert _admin(server.db_url, "restore", "--force", str(file)) == 0
    with LiveServer(server.db_url, demo=False) as again, login(again.url, "reception") as desk:
        assert desk.get(f"/customers/{later}").status_code == 404
        assert desk.get(f"/customers/{kept}").status_code == 200


def test_restore_says_what_is_wrong_with_the_file(new_db_url, tmp_path, capsys):
    url = new_db_url("sqlite")
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello")
    assert _admin(url, "restore", str(not_a_backup)) == 2
    assert "is not a desk-tui backup" in capsys.readouterr().err
    assert _admin(url, "restore", str(tmp_path / "missing.backup")) == 2
    assert "There is no backup file" in capsys.readouterr().err


@pytest.mark.postgres
def test_a_postgresql_backup_without_pg_dump_says_how_to_get_it(pg_cluster, monkeypatch, tmp_path, capsys):
    from desk_tui.server import admin_backup

    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("PGBIN", raising=False)
    monkeypatch.setattr(admin_backup, "PG_BIN_DIRS", [tmp_path / "postgresql" / "15" / "bin"])
    assert _admin(pg_cluster.create_database(), "backup", str(tmp_path / "x.backup")) == 2
    err = capsys.readouterr().err
    assert "pg_dump was not found" in err and "PGBIN" in err and "postgresql-client" in err
    assert not (tmp_path / "x.backup").exists()


@pytest.mark.postgres
def test_a_postgresql_restore_forgets_the_live_events_of_the_backups_server(new_db_url, tmp_path):
    """Event ids are made from transaction ids, which another PostgreSQL server counts afresh:
    there an event of the backup would stay 'not yet committed' for ever and hold every stream."""
    url = new_db_url("postgresql")
    _small_salon(url)
    source = Database(url)
    try:
        with source.transaction() as s:  # as a server far ahead in transaction ids wrote it
            s.execute(insert(EventRow).values(id=2**62, at=utcnow(), kind="catalogue.changed", body="{}"))
    finally:
        source.dispose()
    file = tmp_path / "salon.backup"
    assert _admin(url, "backup", str(file)) == 0
    restored = new_db_url("postgresql")
    assert _admin(restored, "restore", str(file)) == 0
    copy = Database(restored)
    try:
        with copy.transaction() as s:
            events.record(s, kind="catalogue.changed", location_id=None, me=None, package_id="pkg_new")
        with copy.read_session() as s:
            page = events.since(s, after=0, location_id="loc_any")
    finally:
        copy.dispose()
    assert [e.package_id for e in page.events] == ["pkg_new"] and not page.held


def test_the_backup_file_is_its_owners_alone(new_db_url, tmp_path):
    url = new_db_url("sqlite")
    assert _admin(url, "migrate") == 0
    assert _admin(url, "backup", str(tmp_path / "b.sqlite")) == 0
    assert (tmp_path / "b.sqlite").stat().st_mode & 0o777 == 0o600
