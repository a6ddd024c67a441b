"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from plr_backend.migrate import head_revision
from plr_backend.models import Base


def test_migrated_schema_matches_the_models(server_factory):
    server = server_factory("migrations")
    server.migrate()  # a second run is a no-op, not an error
    engine = server.engine()
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert context.get_current_revision() == head_revision(server.database_url)
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()
