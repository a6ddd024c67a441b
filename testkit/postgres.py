"""A throwaway PostgreSQL cluster for tests and benchmarks, from Debian's server binaries.

Stdlib only, so both virtual environments can use it. The cluster lives in a temporary
directory, listens on a free loopback port with trust authentication (nothing else can
reach it), and is stopped and removed on exit, also when the caller fails.

    with postgres() as pg:
        dsn = pg.dsn                        # postgresql://postgres@127.0.0.1:PORT/postgres
        other = pg.create_database("t1")    # DSN of a fresh database in the same cluster

Or `pg = start_postgres()` ... `stop_postgres(pg)` when a context manager does not fit
(pytest session fixtures, for instance).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, List, Mapping

from .ports import free_port

DEFAULT_BIN = "/usr/lib/postgresql/15/bin"
SUPERUSER = "postgres"
# Unprivileged OS account that owns the cluster when we run as root (initdb refuses root).
OS_USER = "postgres"

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class PostgresError(RuntimeError):
    pass


@dataclass
class PostgresCluster:
    root: Path
    port: int
    bin_dir: Path
    run_as: str | None
    host: str = "127.0.0.1"
    databases: List[str] = field(default_factory=list)

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log_path(self) -> Path:
        return self.root / "postgres.log"

    def dsn_for(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@{self.host}:{self.port}/{database}"

    @property
    def dsn(self) -> str:
        return self.dsn_for("postgres")

    def psql(self, sql: str, database: str = "postgres", timeout: float = 30.0) -> str:
        """Run one SQL command through psql over TCP and return its unaligned output."""
        result = subprocess.run(
            [
                str(self.bin_dir / "psql"),
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                self.host,
                "-p",
                str(self.port),
                "-U",
                SUPERUSER,
                "-d",
                database,
                "-c",
                sql,
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=_client_env(),
        )
        if result.returncode != 0:
            raise PostgresError(f"psql failed ({result.returncode}): {result.stderr.strip()}")
        return result.stdout.strip()

    def create_database(self, name: str) -> str:
        """Create an empty database and return its DSN (names: lower-case identifiers)."""
        if not _IDENTIFIER.match(name):
            raise ValueError(f"not a plain identifier: {name!r}")
        self.psql(f"CREATE DATABASE {name}")
        self.databases.append(name)
        return self.dsn_for(name)

    def drop_database(self, name: str) -> None:
        if not _IDENTIFIER.match(name):
            raise ValueError(f"not a plain identifier: {name!r}")
        self.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if name in self.databases:
            self.databases.remove(name)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _client_env() -> dict:
    env = dict(os.environ)
    # A developer's PG* variables must not redirect the client to another server.
    for key in [k for k in env if k.startswith("PG")]:
        del env[key]
    return env


def _as_user(argv: List[str], run_as: str | None) -> List[str]:
    if run_as is None:
        return argv
    return ["runuser", "-u", run_as, "--"] + argv


def _run(argv: List[str], run_as: str | None, timeout: float) -> None:
    result = subprocess.run(_as_user(argv, run_as), capture_output=True, text=True, timeout=timeout, env=_client_env())
    if result.returncode != 0:
        raise PostgresError(f"{Path(argv[0]).name} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")


def _prepare_root(run_as: str | None) -> Path:
    root = Path(tempfile.mkdtemp(prefix="plr-pg-"))
    if run_as is not None:
        import pwd

        entry = pwd.getpwnam(run_as)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    return root


def start_postgres(
    settings: Mapping[str, str] | None = None,
    bin_dir: str | None = None,
    start_timeout: float = 60.0,
    attempts: int = 3,
) -> PostgresCluster:
    """initdb + pg_ctl start on a free loopback port; returns once the server accepts connections.

    `settings` are extra server settings (e.g. {"fsync": "off"} for a test that only needs speed).
    """
    binaries = Path(bin_dir or os.environ.get("PLR_PG_BIN", DEFAULT_BIN))
    if not (binaries / "initdb").exists():
        raise PostgresError(
            f"PostgreSQL server binaries not found in {binaries}; run scripts/install-system-packages.sh postgresql"
        )
    run_as = OS_USER if os.geteuid() == 0 else None
    root = _prepare_root(run_as)
    try:
        _run(
            [
                str(binaries / "initdb"),
                "-D",
                str(root / "data"),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
            run_as,
            timeout=120,
        )
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise

    last_error: Exception | None = None
    for _ in range(max(1, attempts)):
        # The free port can be taken between free_port() and the bind: retry with another one.
        cluster = PostgresCluster(root=root, port=free_port(), bin_dir=binaries, run_as=run_as)
        options = {
            "listen_addresses": cluster.host,
            "port": str(cluster.port),
            "unix_socket_directories": str(root),
            "max_connections": "200",
        }
        options.update(settings or {})
        opts = " ".join(f"-c {key}={value}" for key, value in options.items())
        try:
            _run(
                [
                    str(binaries / "pg_ctl"),
                    "-D",
                    str(cluster.data_dir),
                    "-l",
                    str(cluster.log_path),
                    "-o",
                    opts,
                    "-w",
                    "-t",
                    str(int(start_timeout)),
                    "start",
                ],
                run_as,
                timeout=start_timeout + 30,
            )
            _wait_ready(cluster, start_timeout)
            return cluster
        except (PostgresError, subprocess.TimeoutExpired) as exc:
            last_error = PostgresError(f"{exc}\n{cluster.log_tail()}")
            _stop(cluster)
        except BaseException:
            stop_postgres(cluster)
            raise
    shutil.rmtree(root, ignore_errors=True)
    raise PostgresError(f"PostgreSQL did not start: {last_error}")


def _wait_ready(cluster: PostgresCluster, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        result = subprocess.run(
            [str(cluster.bin_dir / "pg_isready"), "-h", cluster.host, "-p", str(cluster.port), "-U", SUPERUSER],
            capture_output=True,
            env=_client_env(),
        )
        if result.returncode == 0:
            return
        if time.monotonic() > deadline:
            raise PostgresError(f"PostgreSQL on port {cluster.port} not ready after {timeout:.0f}s")
        time.sleep(0.1)


def _stop(cluster: PostgresCluster) -> None:
    if not (cluster.data_dir / "postmaster.pid").exists():
        return
    with contextlib.suppress(PostgresError, subprocess.TimeoutExpired):
        # Immediate mode: the data is thrown away, so a clean checkpoint would be wasted time.
        _run(
            [str(cluster.bin_dir / "pg_ctl"), "-D", str(cluster.data_dir), "-m", "immediate", "-w", "stop"],
            cluster.run_as,
            timeout=60,
        )


def stop_postgres(cluster: PostgresCluster) -> None:
    """Stop the server (if running) and delete its directory. Safe to call twice."""
    try:
        _stop(cluster)
    finally:
        shutil.rmtree(cluster.root, ignore_errors=True)


@contextlib.contextmanager
def postgres(settings: Mapping[str, str] | None = None, bin_dir: str | None = None) -> Iterator[PostgresCluster]:
    cluster = start_postgres(settings=settings, bin_dir=bin_dir)
    try:
        yield cluster
    finally:
        stop_postgres(cluster)
