"""A database at the revision before a migration, with the one salon every data migration test
starts from (settings, a location, an owner): what a salon that upgrades has on file."""

from __future__ import annotations

from alembic.script import ScriptDirectory
from sqlalchemy import MetaData

from desk_tui.server import migrate
from desk_tui.server.database import Database


def salon_before(db: Database, revision: str) -> tuple[str, MetaData]:
    """Upgrades to the revision ``revision`` follows and adds the salon; returns that revision and
    the tables as they were then."""
    before = ScriptDirectory.from_config(migrate.alembic_config(db.engine)).get_revision(revision).down_revision
    migrate.upgrade(db.engine, str(before))
    tables = MetaData()
    tables.reflect(db.engine)
    with db.engine.begin() as conn:
        conn.execute(tables.tables["org_settings"].insert(), {
            "id": 1, "business_name": "Old Salon", "currency": "HUF", "currency_decimals": 0,
            "timezone": "Europe/Budapest"})
        conn.execute(tables.tables["locations"].insert(), {"id": "loc_old", "name": "Old", "address": ""})
        conn.execute(tables.tables["staff"].insert(), {"id": "stf_old", "name": "Old Staff", "role": "owner",
                                                       "bookable": False, "active": True})
    return str(before), tables
