"""What a ballot shows and is checked against, read from memory on the cast path.

From "scheduled" on, a consultation's title, voting period, questions and options
never change (voting.consultations.editing refuses it), so each process reads them once,
as plain frozen objects, and asks the database per request only for what still
moves: the status. Drafts are never kept; they are not voted on.
"""

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlmodel import Session

from ballots.content import BallotQuestion
from ballots.kept import KeptPerEngine
from voting.core.db import DriverStatement
from voting.core.lifecycle import find_consultation
from voting.core.models import Consultation, Status, utcnow

MAX_DEFINITIONS = 64


@dataclass(frozen=True)
class OptionDefinition:
    """One option of a question, as the ballot lists it."""

    key: str
    label: str


@dataclass(frozen=True)
class QuestionDefinition:
    """One question with its options in ballot order."""

    key: str
    text: str
    method: str
    params: Mapping[str, Any]
    options: tuple[OptionDefinition, ...]

    @property
    def option_keys(self) -> list[str]:
        """Return the option keys in ballot order."""
        return [option.key for option in self.options]


@dataclass(frozen=True)
class BallotDefinition:
    """An announced consultation as the ballot and the receipt page need it.

    ``status`` is read afresh for every request; the rest is the same for every
    request of a process.
    """

    id: int
    slug: str
    title: str
    created_at: datetime
    questions: tuple[QuestionDefinition, ...]
    status: str
    opens_at: datetime
    closes_at: datetime
    # What casting checks a ballot against, built once with the rest.
    ballot_questions: tuple[BallotQuestion, ...] = field(repr=False)
    # Per-process things built from the definition, e.g. form classes by language; shared by
    # every copy of the definition, so whatever is kept here is built once.
    derived: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_open(self) -> bool:
        """Tell whether ballots are accepted now."""
        return self.status == Status.OPEN and self.opens_at <= utcnow() < self.closes_at


def definition_of(consultation: Consultation) -> BallotDefinition:
    """Return the definition of a consultation loaded with its questions and options."""
    assert consultation.id is not None
    questions = tuple(
        QuestionDefinition(
            key=q.key,
            text=q.text,
            method=q.method,
            params=dict(q.params),
            options=tuple(OptionDefinition(o.key, o.label) for o in q.options),
        )
        for q in consultation.questions
    )
    return BallotDefinition(
        id=consultation.id,
        slug=consultation.slug,
        title=consultation.title,
        created_at=consultation.created_at,
        questions=questions,
        status=consultation.status,
        opens_at=consultation.opens_at,
        closes_at=consultation.closes_at,
        ballot_questions=tuple(
            BallotQuestion(q.key, q.method, tuple(q.option_keys), q.params) for q in questions
        ),
    )


# Raw values: the creation time only tells two consultations apart.
_state = select(Consultation.id, Consultation.slug, Consultation.created_at, Consultation.status)
_STATE_BY_SLUG = DriverStatement(_state.where(Consultation.slug == bindparam("slug")))
_STATE_BY_ID = DriverStatement(_state.where(Consultation.id == bindparam("id")))

# Keyed by id and creation time, so an id SQLite might hand out again is never mistaken.
_kept: KeptPerEngine[tuple[Any, Any], BallotDefinition] = KeptPerEngine(MAX_DEFINITIONS)


def find_definition(
    *, session: Session, slug: str | None = None, consultation_id: int | None = None
) -> BallotDefinition | None:
    """Return the ballot definition of the consultation with this slug or id, if any.

    One small query per call; the questions come from memory once the consultation is
    announced.
    """
    connection = session.connection()
    if slug is not None:
        row = _STATE_BY_SLUG.execute(connection, {"slug": slug}).fetchone()
    else:
        row = _STATE_BY_ID.execute(connection, {"id": consultation_id}).fetchone()
    if row is None:
        return None
    consultation_id, slug, created_at, status = row
    kept = _kept.of(session.get_bind())
    key = (consultation_id, created_at)
    cached = kept.get(key)
    if cached is not None and cached.status == status:
        return cached
    if cached is None:
        loaded = find_consultation(session=session, slug=slug)
        assert loaded is not None  # consultations are never deleted
        cached = definition_of(loaded)
        if status == Status.DRAFT:
            return cached  # a draft can still change: read it afresh every time
    current = dataclasses.replace(cached, status=status)
    kept.put(key, current)  # with the status as now read, for find_open_definition
    return current


def find_open_definition(*, session: Session, slug: str) -> BallotDefinition | None:
    """Return the definition to cast a ballot against, without a query where it can.

    A consultation this process last read as open is taken from memory: its status can
    only have moved on since (closed, tallied, published), and the cast reads the status
    again under the log's lock (record_ballot). Any other is read as find_definition
    does. Slugs are never reused.
    """
    for definition in _kept.of(session.get_bind()).newest_first():
        if definition.slug == slug and definition.status == Status.OPEN:
            return definition
    return find_definition(session=session, slug=slug)
