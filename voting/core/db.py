"""Database engines and write transactions; the per-request session is voting.web.db's."""

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, NamedTuple

from sqlalchemy import Connection, Engine, Executable, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlmodel import Session


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and explicit transactions."""
    # Parameters (code hashes, pseudonyms, ballot contents) stay out of logs and error texts.
    kwargs.setdefault("hide_parameters", True)
    if not url.startswith("sqlite"):
        engine = create_engine(url, **kwargs)
        _ping_idle_connections(engine)
        return engine
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
        # on a read-to-write upgrade; readers keep WAL's snapshot reads. Straight on the
        # driver: a statement through SQLAlchemy costs ten times as much.
        immediate = conn.get_execution_options().get("sqlite_immediate")
        statement = "BEGIN IMMEDIATE" if immediate else "BEGIN"
        with _driver_errors(conn.dialect, statement):
            conn.connection.driver_connection.execute(statement)

    return engine


# A connection given back this recently was working then; a restarted database would fail
# at most one request per pooled connection and the pool start afresh.
RECENTLY_USED_SECONDS = 1.0


def _ping_idle_connections(engine: Engine) -> None:
    """Ping a pooled connection before use if it lay idle, as pool_pre_ping does for all.

    Under load connections come back within milliseconds, and a ping before each request
    costs a round trip and a statement on both sides.
    """

    # The listeners hold the dialect, not the engine: a cycle through the engine would leave
    # its pooled connections to the garbage collector, unclosed.
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["checked_in_at"] = time.monotonic()

    # A connection made a moment ago needs no ping either.
    event.listen(engine, "connect", _checked_in)

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        checked_in_at = record.info.get("checked_in_at")
        if checked_in_at is not None and time.monotonic() - checked_in_at < RECENTLY_USED_SECONDS:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            # The pool drops this connection and checks out a new one.
            raise DisconnectionError("the database connection was lost") from error


def begin_write(session: Session) -> None:
    """Start the session's transaction as a writer (BEGIN IMMEDIATE on SQLite).

    Without effect inside a transaction that has begun already.
    """
    if not session.in_transaction():
        session.connection(execution_options={"sqlite_immediate": True})


def writes_follow(session: Session) -> None:
    """Make the session a writer from here on, keeping any reads' connection.

    SQLite takes its write lock when a transaction begins (BEGIN IMMEDIATE), so there
    reads done so far are committed and a writer begins on the same connection; the lock
    is then held for the writes and no longer. PostgreSQL locks rows as they are written,
    so there a transaction simply goes on. Where none is open, a writer begins.
    """
    if not session.in_transaction():
        begin_write(session)
        return
    if session.get_bind().dialect.name != "sqlite":
        return
    # On the driver, behind the session's back: the session's transaction goes on and its
    # commit or rollback ends the writer. Through the session, ending one transaction and
    # beginning the next would cost a pool check-in and check-out.
    connection = session.connection()
    with _driver_errors(connection.dialect, "COMMIT; BEGIN IMMEDIATE"):
        connection.connection.driver_connection.execute("COMMIT")
        connection.connection.driver_connection.execute("BEGIN IMMEDIATE")


# The INSERT constructs that know ON CONFLICT, by database.
CONFLICT_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


class _Compiled(NamedTuple):
    sql: str
    processors: dict[str, Any]
    constants: dict[str, Any]


class DriverStatement:
    """A Core statement compiled once per database and run on the driver's own cursor.

    For the few statements every vote runs: SQLAlchemy's execution layer costs about
    50 µs a statement, several times what SQLite needs to run one. Parameters are
    converted by their column types as SQLAlchemy would; rows come back as the driver
    gives them. Driver errors are raised as SQLAlchemy's (an IntegrityError stays one).
    """

    def __init__(self, statement: Executable | Callable[[Any], Executable]) -> None:
        """Take a statement, or for an INSERT … ON CONFLICT a function building it.

        PostgreSQL and SQLite each have their own insert construct for ON CONFLICT; the
        function is given the one of the database the statement first runs on.
        """
        self._statement = statement
        self._compiled: dict[tuple[str, tuple[str, ...]], _Compiled] = {}

    def _compile(self, dialect: Any, names: tuple[str, ...]) -> "_Compiled":
        statement = self._statement
        if not isinstance(statement, Executable):
            if dialect.name not in CONFLICT_INSERTS:
                raise RuntimeError(f"ON CONFLICT needs PostgreSQL or SQLite, not {dialect.name}")
            statement = statement(CONFLICT_INSERTS[dialect.name])
        # Named parameters on every driver, so one mapping fits all of them.
        named = type(dialect)(paramstyle="named") if dialect.name == "sqlite" else dialect
        compiled = statement.compile(dialect=named, column_keys=list(names))
        processors = {
            name: processor
            for name, bind in compiled.binds.items()
            if (processor := bind.type.dialect_impl(named).bind_processor(named)) is not None
        }
        # Values written into the statement itself, such as the 1 of "ballots + 1".
        constants = {name: value for name, value in compiled.params.items() if name not in names}
        return _Compiled(str(compiled), processors, constants)

    def execute(self, connection: Connection, parameters: Mapping[str, Any]) -> Any:
        """Run the statement in the connection's transaction; return the driver's cursor."""
        dialect = connection.dialect
        key = (dialect.name, tuple(parameters))
        if key not in self._compiled:
            self._compiled[key] = self._compile(dialect, key[1])
        sql, processors, constants = self._compiled[key]
        if processors or constants:
            parameters = {
                name: processors[name](value) if name in processors else value
                for name, value in {**constants, **parameters}.items()
            }
        cursor = connection.connection.cursor()
        with _driver_errors(dialect, sql):
            cursor.execute(sql, parameters)
        return cursor


@contextmanager
def _driver_errors(dialect: Any, sql: str) -> Iterator[None]:
    """Raise the driver's errors as SQLAlchemy's (an IntegrityError stays one)."""
    try:
        yield
    except dialect.loaded_dbapi.Error as error:
        raise DBAPIError.instance(
            sql, None, error, dialect.loaded_dbapi.Error, hide_parameters=True, dialect=dialect
        ) from error


@contextmanager
def pipelined(connection: Connection) -> Iterator[None]:
    """Send the driver statements run inside together, where the driver can.

    On PostgreSQL (psycopg's pipeline mode) they travel to the server without waiting for
    each other's answers: one round trip instead of one each. A row is there when fetched;
    an error arrives at the latest when the block ends, as SQLAlchemy's. Inside another
    such block, the outer one carries on. SQLite runs in the process and needs none of it.
    Only DriverStatements belong inside: SQLAlchemy's own execution wants a result's
    columns before the server has answered.
    """
    driver = connection.connection.driver_connection
    with _driver_errors(connection.dialect, "(pipeline)"):
        if not hasattr(driver, "pipeline") or _in_pipeline(driver):
            yield
            return
        with driver.pipeline():
            yield


def release_locks(session: Session) -> None:
    """Commit what the transaction wrote so far without waiting for the disk, ending its locks.

    On PostgreSQL this one COMMIT runs with ``synchronous_commit`` off and the session's
    transaction goes on as a new one on the same connection. Its durable commit makes
    both durable, because the write-ahead log is flushed in order: nothing written before
    it may be acknowledged until then. A cast holds its log from the lock to the commit;
    this keeps the wait for the disk out of that time. SQLite's write lock covers the
    disk anyway: there it is without effect, and one transaction holds everything.
    """
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return
    cursor = connection.connection.driver_connection.cursor()
    with _driver_errors(connection.dialect, "COMMIT AND CHAIN (synchronous_commit off)"):
        # In a pipeline both are queued behind the writes: no answer is waited for while
        # the log is held. The chained transaction is back to the durable setting.
        cursor.execute("SET LOCAL synchronous_commit TO OFF", prepare=False)
        cursor.execute("COMMIT AND CHAIN", prepare=False)


def _in_pipeline(driver: Any) -> bool:
    pgconn = getattr(driver, "pgconn", None)
    return bool(pgconn is not None and pgconn.pipeline_status)


@contextmanager
def committing(session: Session) -> Iterator[None]:
    """Commit the session's transaction when the block ends, together with its statements.

    On PostgreSQL the COMMIT goes out in the same round trip as the block's pipelined
    writes (see pipelined): a transaction that holds a lock, as a cast holds its log, waits
    for one answer fewer. If the block raises, nothing is committed.
    """
    connection = session.connection()
    driver = connection.connection.driver_connection
    with pipelined(connection):
        yield
        if _in_pipeline(driver):
            # Behind the writes: their answers and the COMMIT's come back in one round trip.
            with _driver_errors(connection.dialect, "COMMIT"):
                driver.cursor().execute("COMMIT", prepare=False)
        else:
            driver.commit()
    # Committed on the driver already; this ends the session's transaction without a trip.
    session.commit()
