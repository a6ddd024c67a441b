"""Everything done to requests, shared by the HTTP API and the staff CLI so both audit alike."""

from __future__ import annotations

import base64
import binascii
import builtins
import hmac
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, cast

from sqlalchemy import CursorResult, Select, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .crypto import Vault
from .db import Database
from .matching import match_register
from .models import (
    DEFAULT_LANGUAGE,
    FINAL_STATUSES,
    AuditEvent,
    LearnerRequest,
    StatusCheckLock,
    UndeliverableRequest,
)
from .references import new_reference
from .schemas import (
    PERSONAL_FIELDS,
    AuditEntry,
    RequestDetail,
    RequestIn,
    RequestRecord,
    StatusView,
    UndeliverableRecord,
)

# Which status a request may move to; completed and rejected are final, so retention can rely on them.
TRANSITIONS = {
    "received": {"in_progress", "completed", "rejected"},
    "in_progress": {"completed", "rejected"},
    "completed": set(),
    "rejected": set(),
}
ACTIONS_ACTOR = "actions"
SUBMIT_ATTEMPTS = 5
RETENTION_BATCH = 500
OPEN_STATUSES = ("received", "in_progress")

# Status checks: this many wrong dates of birth for one reference lock it for LOCK_DURATION.
# Wrong guesses older than FAILURE_WINDOW are forgotten, so a learner who mistyped once last
# month starts again from zero.
LOCK_AFTER_FAILURES = 5
LOCK_DURATION = timedelta(minutes=15)
FAILURE_WINDOW = timedelta(hours=24)


class NotFound(LookupError):
    pass


class Conflict(RuntimeError):
    pass


class InvalidCursor(ValueError):
    pass


@dataclass(frozen=True)
class StatusCheck:
    """found (with the view), not_found (unknown reference or wrong date of birth), or locked."""

    outcome: Literal["found", "not_found", "locked"]
    view: StatusView | None = None
    retry_after: int = 0  # seconds until a locked reference may be checked again
    lock_started: bool = False  # this wrong date of birth was the one that locked the reference


@dataclass(frozen=True)
class RetentionReport:
    closed_due: int
    open_overdue: int
    oldest_open_created_at: datetime | None
    dead_letters: int


@dataclass(frozen=True)
class Submission:
    outcome: Literal["created", "replayed", "conflict"]
    reference: str | None = None
    created_at: datetime | None = None


def _hashed_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """The body as its idempotency hash sees it: English, the default, is left out.

    A body queued by an outbox before `language` existed, replayed after, then hashes as it
    did when it was first stored (a replay, not a 409); a Welsh body still differs from an
    English one under the same key.
    """
    if fields.get("language") == DEFAULT_LANGUAGE:
        return {name: value for name, value in fields.items() if name != "language"}
    return fields


def utcnow() -> datetime:
    return datetime.now(UTC)


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"r{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidCursor("cursor is not one this service issued") from exc
    if not (raw.startswith("r") and raw[1:].isdigit() and len(raw) < 20):
        raise InvalidCursor("cursor is not one this service issued")
    return int(raw[1:])


class RequestStore:
    def __init__(self, db: Database, vault: Vault) -> None:
        self.db = db
        self.vault = vault

    # --- the action server's side -------------------------------------------------------

    def submit(self, body: RequestIn, idempotency_key: str) -> Submission:
        fields = body.model_dump()
        body_hash = self.vault.body_hash(_hashed_fields(fields))
        for _ in range(SUBMIT_ATTEMPTS):
            try:
                with self.db.writing() as session:
                    existing = session.scalar(
                        select(LearnerRequest).where(LearnerRequest.idempotency_key == idempotency_key)
                    )
                    if existing is not None:
                        if hmac.compare_digest(existing.body_hash, body_hash):
                            return Submission("replayed", existing.reference, existing.created_at)
                        return Submission("conflict")
                    now = utcnow()
                    row = LearnerRequest(
                        reference=new_reference(),
                        idempotency_key=idempotency_key,
                        body_hash=body_hash,
                        type=fields["type"],
                        channel=fields["channel"],
                        language=fields["language"],
                        status="received",
                        match=match_register(session, self.vault, fields),
                        personal=self.vault.seal({name: fields[name] for name in PERSONAL_FIELDS}),
                        dob_hash=self.vault.dob_hash(fields["date_of_birth"]),
                        created_at=now,
                        updated_at=now,
                    )
                    session.add(row)
                    session.add(
                        AuditEvent(
                            reference=row.reference, action="created", actor=ACTIONS_ACTOR, at=now, to_status="received"
                        )
                    )
                return Submission("created", row.reference, row.created_at)
            except IntegrityError:
                # Either the same key committed by a concurrent request (the next pass replays it)
                # or a reference collision (the next pass draws another reference).
                continue
        raise RuntimeError("could not store the request after repeated unique-key conflicts")

    def status_for_learner(self, reference: str, date_of_birth: str, now: datetime | None = None) -> StatusCheck:
        """The status for the right date of birth; not_found alike for an unknown reference and a wrong date.

        Every wrong date counts against the reference (known or not); the fifth within
        FAILURE_WINDOW locks it, and while locked even the right date is refused, so guessing
        a birthday costs at least 15 minutes per 5 tries. A right date clears the count.
        """
        expected = self.vault.dob_hash(date_of_birth)
        for _ in range(SUBMIT_ATTEMPTS):
            at = now or utcnow()
            try:
                with self.db.writing() as session:
                    return self._check_status(session, reference, expected, at)
            except IntegrityError:
                # Two first failures for one reference at once (PostgreSQL): the next pass sees the row.
                continue
        raise RuntimeError("could not record a status check after repeated conflicts")

    def _check_status(self, session: Session, reference: str, expected: str, now: datetime) -> StatusCheck:
        lock = session.get(StatusCheckLock, reference, with_for_update=True)
        if lock is not None and lock.locked_until is not None and lock.locked_until > now:
            return StatusCheck("locked", retry_after=max(1, math.ceil((lock.locked_until - now).total_seconds())))
        if lock is not None and (lock.locked_until is not None or lock.first_failure_at < now - FAILURE_WINDOW):
            # A lock that has run out, or failures from long ago: the count starts again.
            session.delete(lock)
            session.flush()
            lock = None
        row = session.scalar(select(LearnerRequest).where(LearnerRequest.reference == reference))
        if row is not None and hmac.compare_digest(row.dob_hash, expected):
            if lock is not None:
                session.delete(lock)
            view = StatusView(
                reference=row.reference,
                type=row.type,
                status=row.status,
                created_at=row.created_at,
                updated_at=row.updated_at,
            )
            return StatusCheck("found", view=view)
        if lock is None:
            lock = StatusCheckLock(reference=reference, failures=0, first_failure_at=now, locked_until=None)
            session.add(lock)
        lock.failures += 1
        if lock.failures >= LOCK_AFTER_FAILURES:
            lock.locked_until = now + LOCK_DURATION
            return StatusCheck("not_found", lock_started=True)
        return StatusCheck("not_found")

    # --- staff --------------------------------------------------------------------------

    def _record(self, row: LearnerRequest) -> RequestRecord:
        personal = self.vault.open(row.personal)
        return RequestRecord(
            reference=row.reference,
            type=row.type,
            status=row.status,
            match=row.match,
            channel=row.channel,
            language=row.language,
            created_at=row.created_at,
            updated_at=row.updated_at,
            **{name: personal.get(name) for name in PERSONAL_FIELDS},
        )

    def _history(self, session: Session, reference: str) -> list[AuditEntry]:
        events = session.scalars(select(AuditEvent).where(AuditEvent.reference == reference).order_by(AuditEvent.id))
        return [
            AuditEntry(
                action=e.action,
                actor=e.actor,
                at=e.at,
                from_status=e.from_status,
                to_status=e.to_status,
                note=self.vault.open_text(e.note),
            )
            for e in events
        ]

    def _detail(self, session: Session, row: LearnerRequest) -> RequestDetail:
        return RequestDetail(**self._record(row).model_dump(), history=self._history(session, row.reference))

    def get(self, reference: str) -> RequestDetail:
        with self.db.reading() as session:
            row = session.scalar(select(LearnerRequest).where(LearnerRequest.reference == reference))
            if row is None:
                raise NotFound(reference)
            return self._detail(session, row)

    def list(
        self,
        status: str | None = None,
        type_: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
        statuses: tuple[str, ...] | None = None,
        created_before: datetime | None = None,
        language: str | None = None,
    ) -> tuple[list[RequestRecord], str | None]:
        query = select(LearnerRequest).order_by(LearnerRequest.id).limit(limit + 1)
        if created_before is not None:
            query = query.where(LearnerRequest.created_at < created_before)
        if cursor:
            query = query.where(LearnerRequest.id > decode_cursor(cursor))
        if status:
            query = query.where(LearnerRequest.status == status)
        if statuses:
            query = query.where(LearnerRequest.status.in_(statuses))
        if type_:
            query = query.where(LearnerRequest.type == type_)
        if language:
            query = query.where(LearnerRequest.language == language)
        with self.db.reading() as session:
            rows = list(session.scalars(query))
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1].id) if more and rows else None
        return [self._record(row) for row in rows], next_cursor

    def change_status(self, reference: str, new_status: str, note: str | None, actor: str) -> RequestDetail:
        with self.db.writing() as session:
            row = session.scalar(select(LearnerRequest).where(LearnerRequest.reference == reference).with_for_update())
            if row is None:
                raise NotFound(reference)
            if new_status not in TRANSITIONS[row.status]:
                raise Conflict(f"cannot change status from {row.status} to {new_status}")
            now = utcnow()
            session.add(
                AuditEvent(
                    reference=row.reference,
                    action="status_changed",
                    actor=actor,
                    at=now,
                    from_status=row.status,
                    to_status=new_status,
                    note=self.vault.seal_text(note),
                )
            )
            row.status = new_status
            row.updated_at = now
            session.flush()
            return self._detail(session, row)

    def count(self) -> int:
        with self.db.reading() as session:
            return session.scalar(select(func.count()).select_from(LearnerRequest)) or 0

    # --- retention ----------------------------------------------------------------------

    def _expired(self, days: int, now: datetime) -> Select[LearnerRequest]:
        return (
            select(LearnerRequest)
            .where(
                LearnerRequest.status.in_(FINAL_STATUSES),
                LearnerRequest.updated_at < now - timedelta(days=days),
            )
            .order_by(LearnerRequest.id)
        )

    def apply_retention(
        self, days: int, now: datetime | None = None, actor: str = "retention", dry_run: bool = False
    ) -> builtins.list[str]:
        """Delete completed/rejected requests last changed more than `days` ago; audit each deletion.

        Staff notes on the deleted requests are blanked too: they may quote the learner, and a
        note must not outlive the request it describes. The audit rows themselves (who did what,
        when) stay. Works in batches so a first run over a large backlog does not hold the write
        lock for long; on PostgreSQL, SKIP LOCKED lets two services sweep at once without
        deleting (and auditing) the same request twice.
        """
        expired = self._expired(days, now or utcnow())
        if dry_run:
            with self.db.reading() as session:
                return [row.reference for row in session.scalars(expired)]
        deleted: list[str] = []
        while True:
            with self.db.writing() as session:
                rows = list(session.scalars(expired.limit(RETENTION_BATCH).with_for_update(skip_locked=True)))
                if not rows:
                    return deleted
                references = [row.reference for row in rows]
                session.execute(
                    update(AuditEvent)
                    .where(AuditEvent.reference.in_(references), AuditEvent.note.is_not(None))
                    .values(note=None)
                )
                at = utcnow()
                for row in rows:
                    note = f"deleted by retention: {row.status} and unchanged for over {days} days"
                    session.add(
                        AuditEvent(
                            reference=row.reference,
                            action="deleted_by_retention",
                            actor=actor,
                            at=at,
                            from_status=row.status,
                            to_status=None,
                            note=self.vault.seal_text(note),
                        )
                    )
                session.execute(delete(LearnerRequest).where(LearnerRequest.id.in_([row.id for row in rows])))
                deleted.extend(references)

    def purge_status_locks(self, now: datetime | None = None) -> int:
        """Forget lock rows that no longer lock anything (they hold only a reference, but still)."""
        now = now or utcnow()
        with self.db.writing() as session:
            # A DELETE's result is a CursorResult (with rowcount); SQLAlchemy types execute() more loosely.
            result = cast(
                "CursorResult[Any]",
                session.execute(
                    delete(StatusCheckLock).where(
                        or_(
                            StatusCheckLock.locked_until < now,
                            (StatusCheckLock.locked_until.is_(None))
                            & (StatusCheckLock.first_failure_at < now - FAILURE_WINDOW),
                        )
                    )
                ),
            )
            return result.rowcount or 0

    def purge_undeliverable(self, days: int, now: datetime | None = None) -> int:
        """Dead letters follow the same retention as closed requests, counted from their arrival."""
        cutoff = (now or utcnow()) - timedelta(days=days)
        with self.db.writing() as session:
            result = cast(
                "CursorResult[Any]",
                session.execute(delete(UndeliverableRequest).where(UndeliverableRequest.received_at < cutoff)),
            )
            return result.rowcount or 0

    def retention_report(self, days: int, open_max_days: int, now: datetime | None = None) -> RetentionReport:
        """What retention would delete now, and open requests nobody has closed within open_max_days."""
        now = now or utcnow()
        overdue_cutoff = now - timedelta(days=open_max_days)
        with self.db.reading() as session:
            closed_due = session.scalar(
                select(func.count()).select_from(self._expired(days, now).order_by(None).subquery())
            )
            open_overdue = session.scalar(
                select(func.count())
                .select_from(LearnerRequest)
                .where(LearnerRequest.status.in_(OPEN_STATUSES), LearnerRequest.created_at < overdue_cutoff)
            )
            oldest = session.scalar(
                select(func.min(LearnerRequest.created_at)).where(LearnerRequest.status.in_(OPEN_STATUSES))
            )
            dead_letters = session.scalar(select(func.count()).select_from(UndeliverableRequest))
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=UTC)  # SQLite's min() bypasses the column type
        return RetentionReport(closed_due or 0, open_overdue or 0, oldest, dead_letters or 0)

    # --- dead letters from the action servers' outboxes -----------------------------------

    def record_undeliverable(
        self, idempotency_key: str, http_status: int, field: str | None, request: dict[str, Any]
    ) -> Literal["created", "replayed"]:
        for _ in range(SUBMIT_ATTEMPTS):
            try:
                with self.db.writing() as session:
                    existing = session.scalar(
                        select(UndeliverableRequest.id).where(UndeliverableRequest.idempotency_key == idempotency_key)
                    )
                    if existing is not None:
                        return "replayed"
                    session.add(
                        UndeliverableRequest(
                            idempotency_key=idempotency_key,
                            http_status=http_status,
                            field=field,
                            personal=self.vault.seal(request),
                            received_at=utcnow(),
                        )
                    )
                return "created"
            except IntegrityError:
                continue
        raise RuntimeError("could not store an undeliverable request after repeated conflicts")

    def list_undeliverable(
        self, limit: int = 50, cursor: str | None = None
    ) -> tuple[builtins.list[UndeliverableRecord], str | None]:
        query = select(UndeliverableRequest).order_by(UndeliverableRequest.id).limit(limit + 1)
        if cursor:
            query = query.where(UndeliverableRequest.id > decode_cursor(cursor))
        with self.db.reading() as session:
            rows = list(session.scalars(query))
        more = len(rows) > limit
        rows = rows[:limit]
        items = [
            UndeliverableRecord(
                id=row.id,
                http_status=row.http_status,
                field=row.field,
                received_at=row.received_at,
                request=self.vault.open(row.personal),
            )
            for row in rows
        ]
        return items, (encode_cursor(rows[-1].id) if more and rows else None)

    def audit_trail(self, reference: str) -> builtins.list[AuditEntry]:
        """Kept after a request is deleted, so it also answers for references that no longer exist."""
        with self.db.reading() as session:
            return self._history(session, reference)
