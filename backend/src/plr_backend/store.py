"""Everything done to requests, shared by the HTTP API and the staff CLI so both audit alike."""

from __future__ import annotations

import base64
import binascii
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from .crypto import Vault
from .db import Database
from .matching import match_register
from .models import FINAL_STATUSES, AuditEvent, LearnerRequest
from .references import new_reference
from .schemas import PERSONAL_FIELDS, AuditEntry, RequestDetail, RequestIn, RequestRecord, StatusView

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


class NotFound(LookupError):
    pass


class Conflict(RuntimeError):
    pass


class InvalidCursor(ValueError):
    pass


@dataclass(frozen=True)
class Submission:
    outcome: Literal["created", "replayed", "conflict"]
    reference: str | None = None
    created_at: datetime | None = None


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
        body_hash = self.vault.body_hash(fields)
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

    def status_for_learner(self, reference: str, date_of_birth: str) -> StatusView | None:
        """None both for an unknown reference and for a wrong date of birth: callers cannot tell them apart."""
        with self.db.reading() as session:
            row = session.scalar(select(LearnerRequest).where(LearnerRequest.reference == reference))
            expected = self.vault.dob_hash(date_of_birth)
            if row is None or not hmac.compare_digest(row.dob_hash, expected):
                return None
            return StatusView(
                reference=row.reference,
                type=row.type,
                status=row.status,
                created_at=row.created_at,
                updated_at=row.updated_at,
            )

    # --- staff --------------------------------------------------------------------------

    def _record(self, row: LearnerRequest) -> RequestRecord:
        personal = self.vault.open(row.personal)
        return RequestRecord(
            reference=row.reference,
            type=row.type,
            status=row.status,
            match=row.match,
            channel=row.channel,
            created_at=row.created_at,
            updated_at=row.updated_at,
            **{name: personal.get(name) for name in PERSONAL_FIELDS},
        )

    def _history(self, session, reference: str) -> list[AuditEntry]:
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

    def _detail(self, session, row: LearnerRequest) -> RequestDetail:
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
    ) -> tuple[list[RequestRecord], str | None]:
        query = select(LearnerRequest).order_by(LearnerRequest.id).limit(limit + 1)
        if cursor:
            query = query.where(LearnerRequest.id > decode_cursor(cursor))
        if status:
            query = query.where(LearnerRequest.status == status)
        if statuses:
            query = query.where(LearnerRequest.status.in_(statuses))
        if type_:
            query = query.where(LearnerRequest.type == type_)
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

    def apply_retention(
        self, days: int, now: datetime | None = None, actor: str = "retention", dry_run: bool = False
    ) -> list[str]:
        """Delete completed/rejected requests last changed more than `days` ago; audit each deletion.

        Works in batches so a first run over a large backlog does not hold the write lock for long.
        """
        expired = (
            select(LearnerRequest)
            .where(
                LearnerRequest.status.in_(FINAL_STATUSES),
                LearnerRequest.updated_at < (now or utcnow()) - timedelta(days=days),
            )
            .order_by(LearnerRequest.id)
        )
        if dry_run:
            with self.db.reading() as session:
                return [row.reference for row in session.scalars(expired)]
        deleted: list[str] = []
        while True:
            with self.db.writing() as session:
                rows = list(session.scalars(expired.limit(RETENTION_BATCH)))
                if not rows:
                    return deleted
                at = utcnow()
                for row in rows:
                    note = f"deleted by the retention command: {row.status} and unchanged for over {days} days"
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
                deleted.extend(row.reference for row in rows)

    def audit_trail(self, reference: str) -> list[AuditEntry]:
        """Kept after a request is deleted, so it also answers for references that no longer exist."""
        with self.db.reading() as session:
            return self._history(session, reference)
