"""Residents' proposals: submission, moderation, supports, and turning them into options."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from voting.core.audit import record_event
from voting.core.db import begin_write
from voting.core.models import Consultation, Option, Question, Status
from voting.proposals.models import (
    PUBLIC_PROPOSAL_STATUSES,
    Proposal,
    ProposalStatus,
    ProposalSupport,
)
from voting.residents.models import ResidentAccount

# Staff decisions on a submitted proposal and the status each leads to.
MODERATION = {
    "publish": ProposalStatus.PUBLISHED,
    "request_changes": ProposalStatus.CHANGES_REQUESTED,
    "reject": ProposalStatus.REJECTED,
}
SUPPORTABLE = (ProposalStatus.PUBLISHED.value, ProposalStatus.AGENDA.value)


class ProposalError(ValueError):
    """A proposal request that is not allowed; nothing was changed.

    ``reason`` is one of "not_verified", "not_author", "wrong_status", "note_missing",
    "support_closed", "already_supported", "consultation_frozen", "method_unsuited".
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ProposalFields:
    """What the author writes."""

    title: str
    text: str
    district: str = ""
    cost_estimate: int | None = None


def _apply(proposal: Proposal, fields: ProposalFields) -> None:
    proposal.title = fields.title.strip()
    # Browsers send CRLF from text areas; paragraphs are split at blank lines.
    proposal.text = fields.text.replace("\r\n", "\n").strip()
    proposal.district = fields.district.strip()
    proposal.cost_estimate = fields.cost_estimate


def submit_proposal(
    *, session: Session, author: ResidentAccount, fields: ProposalFields
) -> Proposal:
    """Store a verified resident's new proposal, awaiting moderation."""
    if not author.is_verified:
        raise ProposalError("not_verified")
    proposal = Proposal(author_id=author.id, title="", text="")
    _apply(proposal, fields)
    session.add(proposal)
    session.flush()
    return proposal


def revise_proposal(
    *, session: Session, proposal: Proposal, author: ResidentAccount, fields: ProposalFields
) -> Proposal:
    """Resubmit a proposal the author was asked to change."""
    if proposal.author_id != author.id:
        raise ProposalError("not_author")
    if proposal.status != ProposalStatus.CHANGES_REQUESTED:
        raise ProposalError("wrong_status")
    _apply(proposal, fields)
    proposal.status = ProposalStatus.SUBMITTED.value
    session.add(proposal)
    session.flush()
    return proposal


def moderate_proposal(
    *,
    session: Session,
    proposal: Proposal,
    decision: str,
    note: str,
    actor: str,
    now: datetime,
    support_days: int,
) -> Proposal:
    """Publish a submitted proposal, ask for changes, or reject it with a reason."""
    if decision not in MODERATION:
        raise ProposalError("wrong_status")
    if proposal.status != ProposalStatus.SUBMITTED:
        raise ProposalError("wrong_status")
    note = note.strip()
    if decision != "publish" and not note:
        raise ProposalError("note_missing")
    before = proposal.status
    proposal.status = MODERATION[decision].value
    proposal.moderation_note = note
    if decision == "publish":
        proposal.published_at = now
        proposal.support_ends_at = now + timedelta(days=support_days)
    session.add(proposal)
    record_event(
        session=session,
        actor=actor,
        action=f"proposal.{decision}",
        proposal_id=proposal.id,
        before=before,
        after=proposal.status,
    )
    session.flush()
    return proposal


def support_count(*, session: Session, proposal_id: int) -> int:
    """Return how many residents support a proposal."""
    return session.exec(
        select(func.count())
        .select_from(ProposalSupport)
        .where(ProposalSupport.proposal_id == proposal_id)
    ).one()


def has_supported(*, session: Session, proposal_id: int, account: ResidentAccount) -> bool:
    """Tell whether this resident supports the proposal already."""
    if account.register_ref is None:
        return False
    return session.get(ProposalSupport, (proposal_id, account.register_ref)) is not None


def support_proposal(
    *, session: Session, proposal_id: int, account: ResidentAccount, now: datetime, threshold: int
) -> bool:
    """Add one resident's support; return whether it put the proposal on the council's agenda.

    A proposal reaching ``threshold`` supports within its period changes to "agenda".
    """
    begin_write(session)
    if not account.is_verified:
        raise ProposalError("not_verified")
    # Locked, so two supports that together reach the threshold are both counted.
    proposal = session.get(Proposal, proposal_id, with_for_update=True)
    if proposal is None or proposal.status not in SUPPORTABLE:
        raise ProposalError("wrong_status")
    if proposal.support_ends_at is None or now >= proposal.support_ends_at:
        raise ProposalError("support_closed")
    if has_supported(session=session, proposal_id=proposal_id, account=account):
        raise ProposalError("already_supported")
    session.add(ProposalSupport(proposal_id=proposal_id, register_ref=account.register_ref))
    try:
        session.flush()
    except IntegrityError:
        raise ProposalError("already_supported") from None
    if (
        proposal.status == ProposalStatus.PUBLISHED
        and support_count(session=session, proposal_id=proposal_id) >= threshold
    ):
        proposal.status = ProposalStatus.AGENDA.value
        proposal.agenda_at = now
        session.add(proposal)
        session.flush()
        return True
    return False


def option_targets(*, session: Session) -> list[tuple[Consultation, Question]]:
    """Return the questions a proposal can become an option of: drafts, not yes/no."""
    rows = session.exec(
        select(Consultation, Question)
        .join(Question, Question.consultation_id == Consultation.id)
        .where(Consultation.status == Status.DRAFT.value, Question.method != "yes_no")
        .order_by(Consultation.created_at.desc(), Question.position)
    )
    return list(rows)


def proposal_to_option(
    *, session: Session, proposal: Proposal, question: Question, actor: str
) -> Option:
    """Add a published proposal as an option of a draft consultation's question."""
    if proposal.status not in SUPPORTABLE:
        raise ProposalError("wrong_status")
    consultation = session.get(Consultation, question.consultation_id)
    assert consultation is not None
    if consultation.status != Status.DRAFT:
        raise ProposalError("consultation_frozen")
    if question.method == "yes_no":
        raise ProposalError("method_unsuited")
    option = Option(
        position=len(question.options),
        key=f"vorschlag-{proposal.id}",
        label=proposal.title[:300],
        proposal_id=proposal.id,
    )
    question.options.append(option)
    before = proposal.status
    proposal.status = ProposalStatus.CONSULTATION.value
    session.add(proposal)
    session.flush()
    record_event(
        session=session,
        actor=actor,
        action="proposal.to_option",
        consultation_id=consultation.id,
        proposal_id=proposal.id,
        question=question.key,
        before=before,
        after=proposal.status,
    )
    return option


@dataclass(frozen=True)
class ProposalPage:
    """One page of a proposal search, each proposal with its support count."""

    items: list[tuple[Proposal, int]]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """Return the number of pages."""
        return max(1, -(-self.total // self.per_page))


def search_proposals(
    *,
    session: Session,
    query: str = "",
    district: str = "",
    status: str = "",
    page: int = 1,
    per_page: int = 20,
) -> ProposalPage:
    """Find public proposals by words in title or text, district and status; newest first."""
    conditions = [Proposal.status.in_(PUBLIC_PROPOSAL_STATUSES)]
    if status in PUBLIC_PROPOSAL_STATUSES:
        conditions.append(Proposal.status == status)
    if district:
        conditions.append(Proposal.district == district)
    for word in query.split()[:10]:
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(
            or_(
                Proposal.title.ilike(pattern, escape="\\"),
                Proposal.text.ilike(pattern, escape="\\"),
            )
        )
    total = session.exec(select(func.count()).select_from(Proposal).where(*conditions)).one()
    supports = (
        select(func.count())
        .select_from(ProposalSupport)
        .where(ProposalSupport.proposal_id == Proposal.id)
        .scalar_subquery()
    )
    page = max(1, page)
    rows = session.exec(
        select(Proposal, supports)
        .where(*conditions)
        .order_by(Proposal.published_at.desc(), Proposal.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return ProposalPage([(p, n) for p, n in rows], total, page, per_page)


def proposal_districts(*, session: Session) -> list[str]:
    """Return the districts public proposals name, for the search filter."""
    rows = session.exec(
        select(Proposal.district)
        .where(Proposal.status.in_(PUBLIC_PROPOSAL_STATUSES), Proposal.district != "")
        .distinct()
        .order_by(Proposal.district)
    )
    return list(rows)
