from __future__ import annotations

import pytest
from sqlalchemy import inspect

from desk_tui.server import migrate
from desk_tui.server.database import Database
from desk_tui.server.schema import metadata
from tests.conftest import ENGINES


@pytest.mark.parametrize("engine_name", ENGINES)
def test_upgrade_from_empty_to_head_matches_the_models(engine_name, new_db_url):
    db = Database(new_db_url(engine_name))
    try:
        assert migrate.current_revision(db.engine) is None
        migrate.upgrade(db.engine)
        head = migrate.current_revision(db.engine)
        assert head is not None
        tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set(metadata.tables)
        migrate.upgrade(db.engine)  # idempotent
        assert migrate.current_revision(db.engine) == head
        # the migrations and the models agree: autogenerate finds nothing to do
        from alembic.autogenerate import compare_metadata
        from alembic.runtime.migration import MigrationContext

        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
        assert diff == []
    finally:
        db.dispose()
