"""Database engines and write transactions; the per-request session is voting.web.db's."""

import os
import stat
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, create_engine, event, make_url
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, func, select

# The INSERT constructs that know ON CONFLICT, by database.
_CONFLICT_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and writers that lock up front."""
    # Parameters (code hashes, pseudonyms, ballot contents) stay out of logs and error texts.
    kwargs.setdefault("hide_parameters", True)
    if not url.startswith("sqlite"):
        # A connection the server dropped (a restart) is replaced before use, unseen.
        return create_engine(url, pool_pre_ping=True, **kwargs)
    restrict_to_owner(url)
    engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself: pysqlite's implicit transactions
        # would otherwise start too late for SELECT ... then INSERT sequences.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # FULL: an acknowledged vote survives a power cut, not only a crash.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        # Writers take the write lock up front, so two casts never deadlock on a
        # read-to-write upgrade; readers keep WAL's snapshot reads.
        immediate = connection.get_execution_options().get("sqlite_immediate")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def restrict_to_owner(url: str) -> None:
    """Make a SQLite database file readable and writable by its owner only, creating it so.

    SQLite gives the write-ahead log and shared-memory files it creates the database
    file's mode; ones left from before are tightened too.
    """
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.exists() and path.parent.is_dir():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if file.exists():
            file.chmod(stat.S_IMODE(file.stat().st_mode) & 0o700)


def begin_write(session: Session) -> None:
    """Start the session's transaction as a writer (BEGIN IMMEDIATE on SQLite).

    Without effect inside a transaction that has begun already.
    """
    if not session.in_transaction():
        session.connection(execution_options={"sqlite_immediate": True})


def table_of(model: type[SQLModel]) -> Table:
    """Return the Core table of a SQLModel table class."""
    # SQLAlchemy sets __table__ on each table class when it is created; SQLModel declares it
    # nowhere, so mypy cannot see it.
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


def conflict_insert(dialect: str, table: Table) -> Any:
    """Return an INSERT into ``table`` that knows ON CONFLICT, for the database ``dialect``."""
    if dialect not in _CONFLICT_INSERTS:
        raise RuntimeError(f"ON CONFLICT needs PostgreSQL or SQLite, not {dialect}")
    return _CONFLICT_INSERTS[dialect](table)


def dialect_of(session: Session) -> str:
    """Return the name of the session's database ("postgresql", "sqlite")."""
    return session.get_bind().dialect.name


def count_rows(session: Session, model: type, consultation_id: int) -> int:
    """Return how many rows of `model` belong to the consultation."""
    return session.exec(
        select(func.count()).select_from(model).where(model.consultation_id == consultation_id)  # type: ignore[attr-defined]
    ).one()
