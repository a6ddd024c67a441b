"""Status-check lock-out per reference, and undeliverable requests forwarded by outboxes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Written out here rather than imported: a migration must not change when the models do.
UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "status_check_locks",
        sa.Column("reference", sa.String(length=13), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_failure_at", UTC, nullable=False),
        sa.Column("locked_until", UTC, nullable=True),
        sa.PrimaryKeyConstraint("reference", name=op.f("pk_status_check_locks")),
    )
    op.create_table(
        "undeliverable_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=True),
        sa.Column("personal", sa.Text(), nullable=False),
        sa.Column("received_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_undeliverable_requests")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_undeliverable_requests_idempotency_key")),
    )
    op.create_index("ix_undeliverable_requests_received_at", "undeliverable_requests", ["received_at"])


def downgrade() -> None:
    op.drop_table("undeliverable_requests")
    op.drop_table("status_check_locks")
