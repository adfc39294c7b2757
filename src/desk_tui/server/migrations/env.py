from __future__ import annotations

from alembic import context

from desk_tui.server.migrate import locked_connection
from desk_tui.server.schema import metadata

engine = context.config.attributes["engine"]

# Under the migration lock: of several servers starting together, one migrates (migrate.py).
with locked_connection(engine) as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
