"""Engines and sessions for SQLite (default) and PostgreSQL.

SQLite: WAL so readers never wait for the writer, synchronous=FULL so an acknowledged request
survives a crash (of the process and of the machine), and write transactions opened with
BEGIN IMMEDIATE so a writer never fails with "database is locked" when a read lock is upgraded.
Within one process, writers also queue on a lock: SQLite's own busy handler sleeps and polls
(up to 100 ms a turn), which under a burst starves some writers for seconds; the busy timeout
remains for writers in other processes (the staff CLI).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_S = 30.0


def private_sqlite_file(path: str | None) -> None:
    """Create the database file readable by its owner only, whatever the umask: it holds
    encrypted personal fields, and SQLite gives its -wal and -shm files the same mode."""
    if not path or path == ":memory:":
        return
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _sqlite_engine(url: str, begin: str) -> Engine:
    private_sqlite_file(make_url(url).database)
    engine = create_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False},
        pool_size=20,
        max_overflow=20,
        hide_parameters=True,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module; we emit BEGIN ourselves below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql(begin)

    return engine


def _postgres_engine(url: str) -> Engine:
    return create_engine(
        url,
        pool_size=20,
        max_overflow=20,
        pool_pre_ping=True,  # a restarted PostgreSQL leaves dead connections in the pool
        pool_timeout=10,
        hide_parameters=True,  # error messages must not quote personal values
        connect_args={"connect_timeout": 5},
    )


class Database:
    """A reader and a writer session factory (the same engine except on SQLite)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            self.write_engine = _sqlite_engine(url, "BEGIN IMMEDIATE")
            self.read_engine = _sqlite_engine(url, "BEGIN")
        else:
            self.write_engine = self.read_engine = _postgres_engine(url)
        self._write_lock = threading.Lock() if self.is_sqlite else nullcontext()
        self._writer = sessionmaker(self.write_engine, expire_on_commit=False)
        self._reader = sessionmaker(self.read_engine, expire_on_commit=False)

    @contextmanager
    def writing(self) -> Iterator[Session]:
        with self._write_lock, self._writer() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._reader() as session, session.begin():
            yield session

    def ping(self) -> None:
        """Reads a real table: `SELECT 1` would pass on a database that lost its schema or its file."""
        with self.read_engine.connect() as connection:
            connection.execute(text("SELECT version_num FROM alembic_version")).all()

    def dispose(self) -> None:
        self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            self.read_engine.dispose()
