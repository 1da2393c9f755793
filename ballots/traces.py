"""Erase what storage itself remembers of the order of voting, once voting has ended.

On PostgreSQL a mark and its ballot are inserted by one transaction, so both rows
carry the same hidden ``xmin``, and heap tables keep rows roughly in insertion order:
someone with database access could link a voter to a ballot. Rewriting every mark
and every ballot of the consultation in one transaction gives them all one ``xmin``
and stores the marks in voter order. The old row versions stay on disk until
PostgreSQL vacuums them (``VACUUM participation, ballot`` right after the count).
"""

from sqlalchemy import delete, insert, select, update
from sqlmodel import Session

from ballots.log import lock_log
from ballots.models import Ballot, Participation
from voting.core.db import begin_write


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
