"""Residents' proposals, their supports, and the city's list of planned projects."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from voting.core.models import UTCDateTime, utcnow


class ProposalStatus(StrEnum):
    """Where a proposal stands; every change is mailed to its author."""

    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    REJECTED = "rejected"
    PUBLISHED = "published"
    AGENDA = "agenda"
    CONSULTATION = "consultation"


# Statuses the public sees; the others concern only the author and staff.
PUBLIC_PROPOSAL_STATUSES = (
    ProposalStatus.PUBLISHED.value,
    ProposalStatus.AGENDA.value,
    ProposalStatus.CONSULTATION.value,
)


class Proposal(SQLModel, table=True):
    """A Bürgervorschlag: submitted by a verified resident, moderated by staff."""

    id: int | None = Field(default=None, primary_key=True)
    author_id: int = Field(foreign_key="resident_account.id", index=True)
    title: str = Field(max_length=200)
    text: str = Field(sa_type=Text)
    district: str = Field(default="", max_length=100)
    # Whole euros, as the author estimates them.
    cost_estimate: int | None = None
    status: str = Field(default=ProposalStatus.SUBMITTED.value, max_length=20, index=True)
    # Why staff asked for changes or rejected it; shown to the author.
    moderation_note: str = Field(default="", sa_type=Text)
    project_id: int | None = Field(default=None, foreign_key="planned_project.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    support_ends_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    agenda_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ProposalSupport(SQLModel, table=True):
    """One verified resident supports one proposal, once.

    Keyed by the register reference, not the account: a person who verifies a
    new account cannot support the same proposal again.
    """

    __tablename__ = "proposal_support"

    proposal_id: int = Field(foreign_key="proposal.id", primary_key=True)
    register_ref: str = Field(max_length=64, primary_key=True)


class PlannedProject(SQLModel, table=True):
    """An entry of the Vorhabenliste: a planned project and the participation planned for it."""

    __tablename__ = "planned_project"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_type=Text)
    district: str = Field(default="", max_length=100)
    # When, in the city's words ("2. Quartal 2027"), and in which form residents take part.
    timeframe: str = Field(max_length=100)
    participation_form: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProjectConsultation(SQLModel, table=True):
    """A consultation held for a planned project."""

    __tablename__ = "project_consultation"

    project_id: int = Field(foreign_key="planned_project.id", primary_key=True)
    consultation_id: int = Field(foreign_key="consultation.id", primary_key=True)
