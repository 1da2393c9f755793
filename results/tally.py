"""Streaming ballots out of the database into the counting methods."""

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
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


def _kept(answers: Iterable[Any], approvals: Counter[tuple[str, ...]]) -> Iterator[Any]:
    """Pass the answers on, adding up each set of approved options on the way."""
    for answer in answers:
        if answer:
            approvals[tuple(answer)] += 1
        yield answer


def count_question(
    *,
    session: Session,
    consultation: Consultation,
    question: Question,
    eligible: int,
    lot_seed: bytes | None = None,
    read: Callable[[int], None] | None = None,
    approvals: Counter[tuple[str, ...]] | None = None,
) -> Outcome:
    """Count one question over all of the consultation's ballots.

    ``approvals``, if given, receives how often each set of approved options was given, from
    the same reading of the ballots (the explanation of a budget needs them).
    """
    params = dict(question.params)
    params["lot_seed"] = lot_seed
    if question.method == "yes_no" and params.get("quorum", "none") != "none":
        params["eligible"] = eligible
    answers = stream_answers(
        session=session, consultation_id=consultation.id, question_key=question.key, read=read
    )
    return count(
        question.method,
        question.option_keys,
        answers if approvals is None else _kept(answers, approvals),
        **params,
    )
