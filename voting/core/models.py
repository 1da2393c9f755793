"""Consultations, their questions, the electorate, staff and the audit trail."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime, Text, UniqueConstraint
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, Relationship, SQLModel


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Store naive UTC, return aware UTC: SQLite keeps no time zone, PostgreSQL would."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use aware UTC datetimes")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Status(StrEnum):
    """Lifecycle of a consultation, in order."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"
    TALLIED = "tallied"
    PUBLISHED = "published"


class Kind(StrEnum):
    """Advisory Bürgerbefragung or binding Bürgerentscheid."""

    ADVISORY = "advisory"
    BINDING = "binding"


class Consultation(SQLModel, table=True):
    """A vote of the residents with one or more questions."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    title: str = Field(max_length=300)
    description: str = Field(default="", sa_type=Text)
    # The same in Leichte Sprache (easy-to-read German), optional.
    summary_easy: str = Field(default="", sa_type=Text)
    kind: str = Field(default=Kind.ADVISORY.value, max_length=20)
    status: str = Field(default=Status.DRAFT.value, max_length=20)
    opens_at: datetime = Field(sa_type=UTCDateTime)
    closes_at: datetime = Field(sa_type=UTCDateTime)
    # Eligibility: minimum age on the closing day; an empty list means every district.
    min_age: int = 18
    districts: list[str] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Set when the electorate and the code hashes are deleted after the retention
    # period; the counts keep the turnout figures once the voters are gone.
    electorate_deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    eligible_count: int | None = None
    voted_count: int | None = None
    # Of voted_count, the marks set by paper ballots (kept apart from the online log).
    paper_count: int | None = None

    questions: list["Question"] = Relationship(
        back_populates="consultation",
        sa_relationship_kwargs={"order_by": "Question.position", "cascade": "all, delete-orphan"},
    )

    @property
    def is_open(self) -> bool:
        """Tell whether ballots are accepted now."""
        return self.status == Status.OPEN and self.opens_at <= utcnow() < self.closes_at

    @property
    def is_published(self) -> bool:
        """Tell whether the result may be shown to anyone."""
        return self.status == Status.PUBLISHED


class Question(SQLModel, table=True):
    """One question of a consultation, counted with one method."""

    __table_args__ = (UniqueConstraint("consultation_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    consultation_id: int = Field(foreign_key="consultation.id", index=True)
    position: int
    key: str = Field(max_length=40)
    text: str = Field(sa_type=Text)
    method: str = Field(max_length=40)
    params: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)

    consultation: Consultation = Relationship(back_populates="questions")
    options: list["Option"] = Relationship(
        back_populates="question",
        sa_relationship_kwargs={"order_by": "Option.position", "cascade": "all, delete-orphan"},
    )

    @property
    def option_keys(self) -> list[str]:
        """Return the option ids in ballot order."""
        return [option.key for option in self.options]


class Option(SQLModel, table=True):
    """A possible answer to a question."""

    __table_args__ = (UniqueConstraint("question_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="question.id", index=True)
    position: int
    key: str = Field(max_length=40)
    label: str = Field(max_length=300)
    # The residents' proposal this option was made from, if any.
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id")

    question: Question = Relationship(back_populates="options")


class Voter(SQLModel, table=True):
    """One entry of a consultation's electorate: pseudonymous, no name, no address."""

    __table_args__ = (UniqueConstraint("consultation_id", "ref"),)

    id: int | None = Field(default=None, primary_key=True)
    consultation_id: int = Field(foreign_key="consultation.id", index=True)
    # Keyed hash of the registration office's person id.
    ref: str = Field(max_length=64)
    district: str = Field(default="", max_length=100)
    birth_year: int
    # Keyed hash of the polling-card code; the code itself is never stored.
    code_hash: str | None = Field(default=None, max_length=64, unique=True)


class Role(StrEnum):
    """What a staff member may do."""

    ADMIN = "admin"
    EDITOR = "editor"
    AUDITOR = "auditor"


class LoginUser:
    """What Flask-Login expects of a user, for staff and residents alike; ``get_id`` is theirs."""

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return bool(self.active)  # type: ignore[attr-defined]

    @property
    def is_anonymous(self) -> bool:
        return False

    @property
    def is_resident(self) -> bool:
        """Tell apart a resident from a staff member in templates."""
        return False


class StaffUser(LoginUser, SQLModel, table=True):
    """A member of the council staff; passwords are argon2 hashes."""

    __tablename__ = "staff_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=80, unique=True)
    password_hash: str = Field(max_length=255)
    role: str = Field(default=Role.EDITOR.value, max_length=20)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    def get_id(self) -> str:
        return str(self.id)

    def may(self, *roles: Role | str) -> bool:
        """Tell whether this member has one of the given roles."""
        return self.role in {Role(role).value for role in roles}


class AuditEvent(SQLModel, table=True):
    """An append-only record of who changed what, when; each hashes its predecessor."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor: str = Field(max_length=80)
    action: str = Field(max_length=80)
    consultation_id: int | None = Field(default=None, foreign_key="consultation.id", index=True)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    # SHA-256 chain: hash = H(prev_hash ‖ canonical record), see voting.core.audit.
    # Unique: an event can follow only one other, so two writers can never fork the chain.
    prev_hash: str = Field(default="", max_length=64, unique=True)
    hash: str = Field(default="", max_length=64)


class JobStatus(StrEnum):
    """Where a piece of long work stands."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(SQLModel, table=True):
    """Long work (import, letters, tally) run by the job worker, for its progress page."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)
    consultation_id: int | None = Field(default=None, foreign_key="consultation.id", index=True)
    actor: str = Field(max_length=80)
    status: str = Field(default=JobStatus.QUEUED.value, max_length=20)
    # The plain values the work needs (never personal data: uploads go to the job's folder).
    params: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    total: int = 0
    done: int = 0
    error: str = Field(default="", sa_type=Text)
    result: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
