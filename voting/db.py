"""Database engine and the per-request session; the models live elsewhere."""

from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import Engine, create_engine, event
from sqlmodel import Session

EXTENSION_KEY = "buergervotum.engine"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and explicit transactions."""
    # Parameters (code hashes, pseudonyms, ballot contents) stay out of logs and error texts.
    kwargs.setdefault("hide_parameters", True)
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, **kwargs)
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
    def _begin(conn: Any) -> None:
        # Writers take the write lock up front, so two casts never deadlock
        # on a read-to-write upgrade; readers keep WAL's snapshot reads.
        if conn.get_execution_options().get("sqlite_immediate"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


def init_app(app: Flask) -> None:
    """Create the engine from DATABASE_URL and close sessions after each request."""
    app.extensions[EXTENSION_KEY] = make_engine(app.config["DATABASE_URL"])
    app.teardown_appcontext(close_session)


def get_engine() -> Engine:
    """Return the current app's engine."""
    return current_app.extensions[EXTENSION_KEY]


def get_session(*, writer: bool | None = None) -> Session:
    """Return the request's session, opening it on first use.

    A request that may write (anything but GET and HEAD) starts as a writer, unless the
    first call says ``writer=False``: a view that reads first and then begins its own short
    write transaction (see ballots.views.vote).
    """
    if "db_session" not in g:
        g.db_session = Session(get_engine(), expire_on_commit=False)
        if writer is None:
            writer = has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")
        if writer:
            begin_write(g.db_session)
    return g.db_session


def close_session(_exc: BaseException | None = None) -> None:
    """Close the request's session; anything not committed is rolled back."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def begin_write(session: Session) -> None:
    """Start the session's transaction as a writer (BEGIN IMMEDIATE on SQLite).

    Without effect inside a transaction that has begun already.
    """
    if not session.in_transaction():
        session.connection(execution_options={"sqlite_immediate": True})
