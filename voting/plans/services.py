"""The Vorhabenliste: planned projects, kept by staff, linked to proposals and consultations."""

from dataclasses import dataclass, field

from sqlmodel import Session, delete, select

from voting.core.audit import record_event
from voting.core.models import Consultation, utcnow
from voting.proposals.models import (
    PUBLIC_PROPOSAL_STATUSES,
    PlannedProject,
    ProjectConsultation,
    Proposal,
)


class PlanError(ValueError):
    """A planned-project change that refers to something that does not exist."""


@dataclass(frozen=True)
class ProjectFields:
    """What staff write about a planned project."""

    title: str
    timeframe: str
    participation_form: str
    description: str = ""
    district: str = ""
    consultation_ids: list[int] = field(default_factory=list)
    proposal_ids: list[int] = field(default_factory=list)


def save_project(
    *, session: Session, project: PlannedProject | None, fields: ProjectFields, actor: str
) -> PlannedProject:
    """Create a planned project (``project`` None) or change one, with its links."""
    consultations = set(fields.consultation_ids)
    if consultations and len(
        session.exec(select(Consultation.id).where(Consultation.id.in_(consultations))).all()
    ) != len(consultations):
        raise PlanError("unknown consultation")
    proposals = set(fields.proposal_ids)
    if proposals and len(
        session.exec(select(Proposal.id).where(Proposal.id.in_(proposals))).all()
    ) != len(proposals):
        raise PlanError("unknown proposal")
    created = project is None
    if project is None:
        project = PlannedProject(title="", timeframe="", participation_form="")
    project.title = fields.title.strip()
    project.timeframe = fields.timeframe.strip()
    project.participation_form = fields.participation_form.strip()
    project.description = fields.description.replace("\r\n", "\n").strip()
    project.district = fields.district.strip()
    project.updated_at = utcnow()
    session.add(project)
    session.flush()
    session.exec(delete(ProjectConsultation).where(ProjectConsultation.project_id == project.id))
    for consultation_id in sorted(consultations):
        session.add(ProjectConsultation(project_id=project.id, consultation_id=consultation_id))
    for proposal in session.exec(
        select(Proposal).where((Proposal.project_id == project.id) | Proposal.id.in_(proposals))
    ):
        proposal.project_id = project.id if proposal.id in proposals else None
        session.add(proposal)
    session.flush()
    record_event(
        session=session,
        actor=actor,
        action="project.created" if created else "project.updated",
        project_id=project.id,
    )
    return project


def list_projects(*, session: Session, district: str = "") -> list[PlannedProject]:
    """Return the planned projects, newest first, optionally of one district."""
    statement = select(PlannedProject).order_by(
        PlannedProject.created_at.desc(), PlannedProject.id.desc()
    )
    if district:
        statement = statement.where(PlannedProject.district == district)
    return list(session.exec(statement))


def project_consultations(
    *, session: Session, project_id: int, public_only: bool
) -> list[Consultation]:
    """Return the consultations held for a project; drafts only if not ``public_only``."""
    statement = (
        select(Consultation)
        .join(ProjectConsultation, ProjectConsultation.consultation_id == Consultation.id)
        .where(ProjectConsultation.project_id == project_id)
        .order_by(Consultation.opens_at)
    )
    if public_only:
        statement = statement.where(Consultation.status != "draft")
    return list(session.exec(statement))


def project_proposals(*, session: Session, project_id: int, public_only: bool) -> list[Proposal]:
    """Return the proposals linked to a project; unpublished ones only if not ``public_only``."""
    statement = select(Proposal).where(Proposal.project_id == project_id).order_by(Proposal.id)
    if public_only:
        statement = statement.where(Proposal.status.in_(PUBLIC_PROPOSAL_STATUSES))
    return list(session.exec(statement))
