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
from threading import Lock
from typing import Any

from cachetools import LRUCache
from sqlalchemy import bindparam, select
from sqlmodel import Session

from ballots.content import BallotQuestion
from voting.core.db import table_of
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


# Asked on every ballot page and cast, so built once (as in ballots.casting).
_consultations = table_of(Consultation)
_status = select(_consultations.c.id, _consultations.c.created_at, _consultations.c.status)
_STATUS_BY_SLUG = _status.where(_consultations.c.slug == bindparam("slug"))
_STATUS_BY_ID = _status.where(_consultations.c.id == bindparam("id"))

# Keyed by database, id and creation time, so an id SQLite might hand out again, or a test's
# fresh database, is never mistaken for another consultation.
_kept: LRUCache[tuple[str, int, datetime], BallotDefinition] = LRUCache(MAX_DEFINITIONS)
_kept_lock = Lock()


def find_definition(
    *, session: Session, slug: str | None = None, consultation_id: int | None = None
) -> BallotDefinition | None:
    """Return the ballot definition of the consultation with this slug or id, if any.

    One small query for the status per call; the rest comes from memory once the
    consultation is announced.
    """
    if slug is not None:
        row = session.execute(_STATUS_BY_SLUG, {"slug": slug}).first()
    else:
        row = session.execute(_STATUS_BY_ID, {"id": consultation_id}).first()
    if row is None:
        return None
    key = (str(session.get_bind().engine.url), row.id, row.created_at)
    with _kept_lock:
        kept = _kept.get(key)
    if kept is None:
        loaded = session.get(Consultation, row.id)
        assert loaded is not None  # it was there a moment ago, and consultations stay
        kept = definition_of(loaded)
        if row.status == Status.DRAFT:
            return kept  # a draft can still change: read it afresh every time
        with _kept_lock:
            _kept[key] = kept
    return dataclasses.replace(kept, status=row.status)
