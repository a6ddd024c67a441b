"""/healthz is 200 only while the database answers; database trouble is a JSON 503, never a 500."""

from __future__ import annotations

import itertools
from pathlib import Path

from cryptography.fernet import Fernet

from support import BackendServer, Keys, person, submit
from testkit.process import http_ok

_n = itertools.count(1)


def assert_unavailable(server: BackendServer) -> None:
    with server.client() as client:
        health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json() == {"status": "unavailable", "database": "unavailable"}
    with server.client("actions") as actions:
        response = submit(actions, person())
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/json"
    assert "retry" in response.json()["detail"]
    with server.client("staff") as staff:
        assert staff.get("/v1/requests").status_code == 503


def test_postgresql_going_away_gives_503_then_recovers(pg_cluster, keys, run_dir):
    name = f"health_{next(_n)}"
    server = BackendServer(
        f"health-postgresql-{name}", pg_cluster.create_database(name), keys, run_dir / "logs", run_dir / "empty.env"
    )
    server.migrate()
    server.start()
    try:
        with server.client("actions") as actions:
            assert submit(actions, person()).status_code == 201
        pg_cluster.drop_database(name)
        assert_unavailable(server)
        # A new empty database under the same name: the service reconnects by itself.
        pg_cluster.create_database(name)
        server.migrate()
        with server.client("actions") as actions:
            assert submit(actions, person()).status_code == 201
        assert http_ok(f"{server.base_url}/healthz")
    finally:
        server.stop()


def test_sqlite_file_destroyed_gives_503(keys, run_dir):
    path = run_dir / f"health_{next(_n)}.db"
    server = BackendServer(
        f"health-sqlite-{path.stem}", f"sqlite:///{path}", keys, run_dir / "logs", run_dir / "empty.env"
    )
    server.migrate()
    server.start()
    try:
        with server.client("actions") as actions:
            assert submit(actions, person()).status_code == 201
        for file in Path(path.parent).glob(path.name + "*"):
            with file.open("r+b") as handle:  # overwrite in place: open connections see the damage
                handle.write(b"\x00garbage" * 4096)
        assert_unavailable(server)
        assert server.service.alive()
    finally:
        server.stop()


def test_server_refuses_to_start_on_an_unmigrated_database(server_factory):
    server = server_factory("unmigrated", migrate=False)
    result = server.cli("serve", check=False, timeout=60)
    assert result.returncode == 1
    assert "run `make -C backend migrate`" in result.stderr
    server.migrate()
    server.start()
    server.stop()


def test_a_wrong_encryption_key_gives_503_not_500(fresh_backend, keys):
    with fresh_backend.client("actions") as actions:
        reference = submit(actions, person()).json()["reference"]
    fresh_backend.stop()
    other_keys = Keys(keys.actions, keys.staff, Fernet.generate_key().decode(), keys.hashing)
    wrong = BackendServer(
        f"{fresh_backend.name}-wrongkey",
        fresh_backend.database_url,
        other_keys,
        fresh_backend.log_dir,
        fresh_backend.env_file,
    )
    wrong.start()
    try:
        with wrong.client("staff") as staff:
            response = staff.get(f"/v1/requests/{reference}")
        assert response.status_code == 503
        assert "encryption key" in response.json()["detail"]
    finally:
        wrong.stop()
