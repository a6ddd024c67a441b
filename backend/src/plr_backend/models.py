"""Tables. Personal values only ever appear inside Fernet tokens (`personal`, `note`)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import CheckConstraint, DateTime, Dialect, Index, Integer, MetaData, String, Text, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

REQUEST_TYPES = ("opt_out", "opt_in")
CHANNELS = ("web", "voice", "other")
# The learner's language (ISO 639-1), so staff can reply in it: English or Welsh.
LANGUAGES = ("en", "cy")
DEFAULT_LANGUAGE = "en"
STATUSES = ("received", "in_progress", "completed", "rejected")
FINAL_STATUSES = ("completed", "rejected")
MATCHES = ("matched", "no_match", "ambiguous")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on every backend (SQLite stores them naive, PostgreSQL as timestamptz)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: use datetime.now(timezone.utc)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class LearnerRequest(Base):
    __tablename__ = "requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(13), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    # Keyed hash of the normalised body: tells a replay from a different body under the same key.
    body_hash: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(8))
    channel: Mapped[str] = mapped_column(String(8))
    language: Mapped[str] = mapped_column(String(2), server_default=DEFAULT_LANGUAGE)
    status: Mapped[str] = mapped_column(String(16))
    match: Mapped[str] = mapped_column(String(16))
    personal: Mapped[str] = mapped_column(Text)
    dob_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        CheckConstraint(_in("type", REQUEST_TYPES), name="type"),
        CheckConstraint(_in("channel", CHANNELS), name="channel"),
        CheckConstraint(_in("language", LANGUAGES), name="language"),
        CheckConstraint(_in("status", STATUSES), name="status"),
        CheckConstraint(_in("match", MATCHES), name="match"),
        Index("ix_requests_status_id", "status", "id"),
        Index("ix_requests_status_updated_at", "status", "updated_at"),
    )


class AuditEvent(Base):
    """Who changed what and when. Kept after retention deletes the request it describes."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(13), index=True)
    action: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    from_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # Staff notes may quote a learner: encrypted like the personal fields.
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class StatusCheckLock(Base):
    """Wrong dates of birth per reference, so a known reference cannot be used to guess a birthday.

    Keyed by the normalised reference whether or not a request has it: an unknown reference
    locks exactly like a real one, so the lock tells nothing about which references exist.
    Holds no personal value.
    """

    __tablename__ = "status_check_locks"

    reference: Mapped[str] = mapped_column(String(13), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    first_failure_at: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class UndeliverableRequest(Base):
    """A request the backend refused (422/409) from an action server's outbox, kept for staff.

    The learner was told it would be sent; without this record nobody would ever see it.
    `personal` is the request as the outbox held it, one Fernet token like `requests.personal`.
    """

    __tablename__ = "undeliverable_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # The outbox row's idempotency key: forwarding the same dead letter twice keeps one record.
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    http_status: Mapped[int] = mapped_column(Integer)
    field: Mapped[str | None] = mapped_column(String(64), nullable=True)
    personal: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_undeliverable_requests_received_at", "received_at"),)


class RegisterLearner(Base):
    """The learner register used for the staff-only identity pre-check."""

    __tablename__ = "register_learners"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uln_hash: Mapped[str] = mapped_column(String(64), index=True)
    identity_hash: Mapped[str] = mapped_column(String(64), index=True)
    # Same person under a previous family name, when the register knows one.
    previous_identity_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    personal: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
