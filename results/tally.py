"""Streaming ballots out of the database into the counting methods."""

import json
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from ballots.models import Ballot
from results.methods import Outcome, count
from voting.core.models import Consultation, Question

BATCH = 5000
PARSED_CACHE = 50_000


def stream_answers(
    *,
    session: Session,
    consultation_id: int,
    question_key: str,
    read: Callable[[int], None] | None = None,
) -> Iterator[Any]:
    """Yield one question's answer from every ballot, read in batches as plain rows.

    ``read(n)`` hears after every batch how many more ballots were read.
    """
    # Core rows, not ORM objects: the rows of a batch are all that is held at a time.
    rows = session.connection().execute(
        select(Ballot.content)
        .where(Ballot.consultation_id == consultation_id)
        .order_by(Ballot.id)
        .execution_options(yield_per=BATCH)
    )
    # Many ballots are equal: each distinct content is parsed once (up to a bound).
    parsed: dict[str, Any] = {}
    unreported = 0
    for (content,) in rows:
        try:
            answer = parsed[content]
        except KeyError:
            answer = json.loads(content).get(question_key)
            if len(parsed) < PARSED_CACHE:
                parsed[content] = answer
        yield answer
        unreported += 1
        if read is not None and unreported == BATCH:
            read(unreported)
            unreported = 0
    if read is not None and unreported:
        read(unreported)


def count_question(
    *,
    session: Session,
    consultation: Consultation,
    question: Question,
    eligible: int,
    lot_seed: bytes | None = None,
    read: Callable[[int], None] | None = None,
) -> Outcome:
    """Count one question over all of the consultation's ballots."""
    params = dict(question.params)
    params["lot_seed"] = lot_seed
    if question.method == "yes_no" and params.get("quorum", "none") != "none":
        params["eligible"] = eligible
    return count(
        question.method,
        question.option_keys,
        stream_answers(
            session=session, consultation_id=consultation.id, question_key=question.key, read=read
        ),
        **params,
    )
