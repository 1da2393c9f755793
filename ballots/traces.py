"""Erase what storage itself remembers of the order of voting, once voting has ended.

A mark and its ballot are written by one transaction, so storage keeps them in step:
on PostgreSQL both rows carry the same hidden ``xmin``, heap pages keep rows in order
of insertion, and deleted row versions stay in the table's files until they are
written over; on SQLite a page's cells lie in order of insertion, freed pages keep
their bytes, and the write-ahead log keeps each commit's pages, older generations
too. ``erase_traces`` runs once a close is committed, and counting runs it again
first (results.services.count_consultation), so no count runs on storage that
still holds the order:

1. every mark of the consultation is written anew in voter order, in one transaction
   (``erase_cast_order``), and so is every ballot: one ``xmin`` for all;
2. the files are rewritten: on SQLite ``VACUUM`` (every table anew, in key order,
   no free pages) and ``wal_checkpoint(TRUNCATE)`` (the log emptied to zero bytes);
   on PostgreSQL ``VACUUM FULL`` of the marks and ballots (new files holding the live
   rows only). What the server's own WAL and backups taken during voting hold is
   docs/deployment.md's subject.
"""

import logging
import sqlite3

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from ballots.log import lock_log
from ballots.models import Ballot, Participation
from voting.core.db import begin_write

logger = logging.getLogger(__name__)

# The tables whose files PostgreSQL writes anew; VACUUM FULL takes each one's lock in turn.
REWRITTEN_TABLES = ("participation", "paper_mark", "ballot")
# How long the rewrite waits for others: a vote in another consultation holds the tables
# briefly, a page being read holds SQLite's log; a longer wait means something is stuck.
WAIT_MS = 30_000


class StorageNotRewritten(RuntimeError):
    """The database files could not be rewritten (SQLite's log could not be emptied)."""


def erase_cast_order(*, session: Session, consultation_id: int) -> int:
    """Rewrite the consultation's marks in voter order and its ballots; return the marks."""
    begin_write(session)
    # Holding the log keeps a late cast from slipping a mark in between read and rewrite.
    lock_log(session=session, consultation_id=consultation_id)
    voters = (
        session.execute(
            select(Participation.voter_id)
            .where(Participation.consultation_id == consultation_id)
            .order_by(Participation.voter_id)
        )
        .scalars()
        .all()
    )
    session.execute(delete(Participation).where(Participation.consultation_id == consultation_id))
    if voters:
        session.execute(
            insert(Participation),
            [{"consultation_id": consultation_id, "voter_id": voter} for voter in voters],
        )
    # A no-op update still writes a new version of every row, stamped by this transaction.
    session.execute(
        update(Ballot)
        .where(Ballot.consultation_id == consultation_id)
        .values(district=Ballot.district)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return len(voters)


def rewrite_files(engine: Engine) -> None:
    """Rewrite the database files so that they keep no earlier state of the rows.

    Needs a connection outside any transaction; on SQLite no other connection may be
    reading, or the log cannot be emptied.
    """
    if engine.dialect.name == "sqlite":
        _rewrite_sqlite(engine)
    else:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            _rewrite_postgresql(connection)


def _rewrite_sqlite(engine: Engine) -> None:
    raw = engine.raw_connection()
    try:
        # The driver's own connection runs in autocommit mode (voting.core.db), as VACUUM
        # requires; SQLAlchemy's would begin a transaction first.
        sqlite = raw.driver_connection
        (previous,) = sqlite.execute("PRAGMA busy_timeout").fetchone()
        sqlite.execute(f"PRAGMA busy_timeout = {int(WAIT_MS)}")
        try:
            sqlite.execute("VACUUM")
            busy, _frames, _copied = sqlite.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            sqlite.execute(f"PRAGMA busy_timeout = {int(previous)}")
    finally:
        raw.close()
    if busy:
        raise StorageNotRewritten("a reader kept the write-ahead log from being emptied")


def _rewrite_postgresql(connection: Connection) -> None:
    files = "SELECT " + ", ".join(f"pg_relation_filenode('{t}')" for t in REWRITTEN_TABLES)
    before = connection.exec_driver_sql(files).one()
    connection.exec_driver_sql(f"SET lock_timeout = {int(WAIT_MS)}")
    try:
        connection.exec_driver_sql(f"VACUUM FULL {', '.join(REWRITTEN_TABLES)}")
    finally:
        connection.exec_driver_sql("RESET lock_timeout")
    # VACUUM FULL skips a table that another role owns with a mere warning: each rewritten
    # table has a new file.
    after = connection.exec_driver_sql(files).one()
    kept = [t for t, old, new in zip(REWRITTEN_TABLES, before, after, strict=True) if old == new]
    if kept:
        raise StorageNotRewritten(f"{', '.join(kept)} not rewritten: is the app's role the owner?")


def erase_traces(*, engine: Engine, consultation_id: int) -> bool:
    """Erase the order of voting from the marks and the files; tell whether it worked.

    Runs in transactions of its own: call it with none open on ``engine`` in this
    thread. A failure leaves everything committed before as it is (a close stays
    closed) and is logged without personal data; run it again later.
    """
    try:
        with Session(engine) as session:
            erase_cast_order(session=session, consultation_id=consultation_id)
            session.commit()
        rewrite_files(engine)
    except (SQLAlchemyError, sqlite3.Error, StorageNotRewritten) as error:
        # The database's own messages may quote a row; ours name tables only.
        why = str(error) if isinstance(error, StorageNotRewritten) else type(error).__name__
        logger.warning(
            "consultation %s: the order of voting is not yet erased from storage (%s)",
            consultation_id,
            why,
        )
        return False
    return True
