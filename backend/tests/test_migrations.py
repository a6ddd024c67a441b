"""The Alembic migrations build exactly the schema the models describe, on both databases,
and carry the rows of an older schema forward."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from cryptography.fernet import Fernet, MultiFernet
from sqlalchemy import MetaData, Table, inspect, text
from sqlalchemy.exc import IntegrityError

from plr_backend.crypto import Vault
from plr_backend.db import private_sqlite_file
from plr_backend.migrate import alembic_config, head_revision
from plr_backend.models import Base
from plr_backend.schemas import PERSONAL_FIELDS, RequestIn
from plr_backend.settings import normalise_database_url
from support import new_key, person, submit


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


def _vault(keys) -> Vault:
    return Vault(MultiFernet([Fernet(keys.fernet)]), keys.hashing.encode())


def _request_at_0001(vault: Vault, body: dict, key: str, reference: str, now: datetime, dialect: str) -> dict:
    """A requests row as the code of revision 0001 stored it: no language, the hash over the body without one."""
    fields = RequestIn.model_validate(body).model_dump()
    fields.pop("language")
    at = now if dialect == "postgresql" else now.replace(tzinfo=None)
    return {
        "reference": reference,
        "idempotency_key": key,
        "body_hash": vault.body_hash(fields),
        "type": fields["type"],
        "channel": fields["channel"],
        "status": "received",
        "match": "no_match",
        "personal": vault.seal({name: fields[name] for name in PERSONAL_FIELDS}),
        "dob_hash": vault.dob_hash(fields["date_of_birth"]),
        "created_at": at,
        "updated_at": at,
    }


def test_requests_stored_before_the_language_column_read_as_english(server_factory, keys):
    """A database built at 0001 with requests in it: upgraded to head, they are `en`, readable,
    and an outbox replaying one of them (body without `language`) still gets its first answer."""
    server = server_factory("language-upgrade", migrate=False)
    url = normalise_database_url(server.database_url)
    if url.startswith("sqlite:///"):
        private_sqlite_file(url[len("sqlite:///") :])  # as `migrate` would: it holds personal data
    config = alembic_config(url)
    command.upgrade(config, "0001")

    vault = _vault(keys)
    now = datetime.now(UTC)
    old = [(person(), new_key(), reference) for reference in ("PLR-2345-6789", "PLR-ABCD-EFGH")]
    engine = server.engine()
    try:
        with engine.begin() as connection:
            requests = Table("requests", MetaData(), autoload_with=connection)
            connection.execute(
                requests.insert(),
                [_request_at_0001(vault, b, k, r, now, engine.dialect.name) for b, k, r in old],
            )
        server.migrate()  # the project's own command, 0001 -> head
        with engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_revision() == head_revision(url)
            column = next(c for c in inspect(connection).get_columns("requests") if c["name"] == "language")
            assert column["nullable"] is False
            assert connection.execute(text("SELECT reference, language FROM requests ORDER BY id")).all() == [
                (reference, "en") for _, _, reference in old
            ]
        # The CHECK constraint, like channel's: only en and cy; and no NULL.
        for bad in ("'fr'", "'EN'", "NULL"):
            with pytest.raises(IntegrityError), engine.begin() as connection:
                connection.execute(text(f"UPDATE requests SET language = {bad}"))
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(text("UPDATE requests SET channel = 'fax'"))  # the copy kept the others

        server.start()
        try:
            with server.client("staff") as staff, server.client("actions") as actions:
                for body, key, reference in old:
                    record = staff.get(f"/v1/requests/{reference}").json()
                    assert (record["language"], record["family_name"]) == ("en", body["family_name"])
                    replay = submit(actions, body, key)
                    assert (replay.status_code, replay.json()["reference"]) == (200, reference)
                listed = staff.get("/v1/requests", params={"language": "en"}).json()["items"]
                assert {item["reference"] for item in listed} == {reference for _, _, reference in old}
                assert staff.get("/v1/requests", params={"language": "cy"}).json()["items"] == []
        finally:
            server.stop()

        command.downgrade(config, "0002")
        with engine.connect() as connection:
            assert "language" not in {c["name"] for c in inspect(connection).get_columns("requests")}
            assert connection.execute(text("SELECT count(*) FROM requests")).scalar_one() == len(old)
        command.upgrade(config, "head")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT DISTINCT language FROM requests")).scalars().all() == ["en"]
    finally:
        engine.dispose()
