"""The learner's language on each request (en or cy), so staff can reply in it.

Requests stored before this revision were all made in English: they become `en`.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-10
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Batch mode: SQLite cannot add a CHECK constraint to an existing table, so the table is
    # copied there; PostgreSQL gets plain ALTER TABLE statements. The server default fills the
    # existing rows with 'en' as the column is added, so NOT NULL holds from the start.
    with op.batch_alter_table("requests") as batch:
        batch.add_column(sa.Column("language", sa.String(length=2), server_default="en", nullable=False))
        batch.create_check_constraint(op.f("ck_requests_language"), "language IN ('en', 'cy')")


def downgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.drop_constraint(op.f("ck_requests_language"), type_="check")
        batch.drop_column("language")
