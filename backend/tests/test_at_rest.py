"""Personal fields are encrypted at rest: neither the rows nor the database files hold them in clear."""

from __future__ import annotations

from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import inspect, text

from support import person, submit


def every_stored_text(server) -> str:
    engine = server.engine()
    try:
        chunks = []
        with engine.connect() as connection:
            for table in inspect(connection).get_table_names():
                for row in connection.execute(text(f"SELECT * FROM {table}")):
                    chunks.extend(str(value) for value in row)
        return "\n".join(chunks)
    finally:
        engine.dispose()


def test_no_personal_value_is_stored_in_clear(backend, actions, staff):
    body = person(previous_family_name="Testmaiden-Qzx", uln="1000000043")
    reference = submit(actions, body).json()["reference"]
    staff.post(
        f"/v1/requests/{reference}/status", json={"status": "in_progress", "note": f"spoke to {body['family_name']}"}
    )

    stored = every_stored_text(backend)
    assert reference in stored  # the scan does see the row
    for name in (
        "given_name",
        "family_name",
        "previous_family_name",
        "date_of_birth",
        "postcode",
        "uln",
        "contact_email",
        "conversation_id",
    ):
        assert body[name] not in stored, name
    compact_date = body["date_of_birth"].replace("-", "")
    assert compact_date not in stored

    if backend.database_url.startswith("sqlite"):
        files = Path(backend.database_url[len("sqlite:///") :]).parent.glob(Path(backend.database_url).name + "*")
        raw = b"".join(path.read_bytes() for path in files)
        assert reference.encode() in raw
        for name in ("family_name", "postcode", "uln", "contact_email"):
            assert body[name].encode() not in raw, name


def test_rows_decrypt_only_with_the_configured_key(backend, actions):
    body = person()
    reference = submit(actions, body).json()["reference"]
    engine = backend.engine()
    try:
        with engine.connect() as connection:
            token = connection.execute(
                text("SELECT personal FROM requests WHERE reference = :r"), {"r": reference}
            ).scalar_one()
    finally:
        engine.dispose()
    assert body["family_name"] in Fernet(backend.keys.fernet.encode()).decrypt(token.encode()).decode()
    other = Fernet(Fernet.generate_key())
    try:
        other.decrypt(token.encode())
    except Exception as exc:  # noqa: BLE001
        assert type(exc).__name__ == "InvalidToken"
    else:
        raise AssertionError("a different key decrypted the row")


def test_sqlite_files_are_readable_by_their_owner_only(server_factory, tmp_path):
    server = server_factory("private")  # migrated: the database file exists now
    if not server.database_url.startswith("sqlite"):
        return
    path = Path(server.database_url[len("sqlite:///") :])
    assert path.stat().st_mode & 0o777 == 0o600
    server.start()
    try:
        with server.client("actions") as actions:
            assert submit(actions, person()).status_code == 201
    finally:
        server.stop()
    for file in path.parent.glob(path.name + "*"):
        assert file.stat().st_mode & 0o077 == 0, file.name
