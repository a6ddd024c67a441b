"""Initial schema: requests, their audit trail, and the learner register.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Written out here rather than imported: a migration must not change when the models do.
UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("reference", sa.String(length=13), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.Column("body_hash", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=8), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("match", sa.String(length=16), nullable=False),
        sa.Column("personal", sa.Text(), nullable=False),
        sa.Column("dob_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.CheckConstraint("type IN ('opt_out', 'opt_in')", name=op.f("ck_requests_type")),
        sa.CheckConstraint("channel IN ('web', 'voice', 'other')", name=op.f("ck_requests_channel")),
        sa.CheckConstraint(
            "status IN ('received', 'in_progress', 'completed', 'rejected')", name=op.f("ck_requests_status")
        ),
        sa.CheckConstraint("match IN ('matched', 'no_match', 'ambiguous')", name=op.f("ck_requests_match")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requests")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_requests_idempotency_key")),
        sa.UniqueConstraint("reference", name=op.f("uq_requests_reference")),
    )
    op.create_index("ix_requests_status_id", "requests", ["status", "id"])
    op.create_index("ix_requests_status_updated_at", "requests", ["status", "updated_at"])

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("reference", sa.String(length=13), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index(op.f("ix_audit_events_reference"), "audit_events", ["reference"])

    op.create_table(
        "register_learners",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("uln_hash", sa.String(length=64), nullable=False),
        sa.Column("identity_hash", sa.String(length=64), nullable=False),
        sa.Column("previous_identity_hash", sa.String(length=64), nullable=True),
        sa.Column("personal", sa.Text(), nullable=False),
        sa.Column("loaded_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_learners")),
    )
    op.create_index(op.f("ix_register_learners_uln_hash"), "register_learners", ["uln_hash"])
    op.create_index(op.f("ix_register_learners_identity_hash"), "register_learners", ["identity_hash"])
    op.create_index(
        op.f("ix_register_learners_previous_identity_hash"), "register_learners", ["previous_identity_hash"]
    )


def downgrade() -> None:
    op.drop_table("register_learners")
    op.drop_table("audit_events")
    op.drop_table("requests")
