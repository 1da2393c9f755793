"""Residents' proposals on the web: submit, list, search, support; staff moderate."""

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select
from werkzeug.wrappers import Response

from voting.core.models import Option, Question
from voting.proposals.forms import ModerationForm, OptionForm, ProposalForm
from voting.proposals.labels import PROPOSAL_STATUS_LABELS
from voting.proposals.models import PUBLIC_PROPOSAL_STATUSES, PlannedProject, Proposal
from voting.proposals.notifications import send_proposal_status
from voting.proposals.services import (
    ProposalError,
    ProposalFields,
    has_supported,
    moderate_proposal,
    option_targets,
    proposal_districts,
    proposal_to_option,
    revise_proposal,
    search_proposals,
    submit_proposal,
    support_count,
    support_proposal,
)
from voting.residents.auth import current_resident, resident_required
from voting.residents.models import ResidentAccount
from voting.web.auth import EDITORS, STAFF, role_required
from voting.web.db import get_session
from voting.web.form_checks import whole_number
from voting.web.forms import ActionForm

bp = Blueprint("proposals", __name__)


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {"proposal_status_labels": PROPOSAL_STATUS_LABELS}


def _message(reason: str) -> str:
    """Return what a resident or staff member is told when a request is refused."""
    return {
        "not_verified": _("Please first verify your residency with the code from your letter."),
        "not_author": _("Only the author can change this proposal."),
        "wrong_status": _("This is not possible in the proposal's current state."),
        "note_missing": _("Please give a reason; the author will read it."),
        "support_closed": _("The support period of this proposal has ended."),
        "already_supported": _("You already support this proposal."),
        "consultation_frozen": _("The consultation is no longer a draft; its options are frozen."),
        "method_unsuited": _("A yes/no question cannot take further options."),
    }[reason]


def _notify_author(proposal: Proposal) -> None:
    """Mail the author the proposal's new status; after the commit, so it is true."""
    author = get_session().get(ResidentAccount, proposal.author_id)
    if author is not None:
        send_proposal_status(author, proposal)


def _proposal_or_404(proposal_id: int) -> Proposal:
    proposal = get_session().get(Proposal, proposal_id)
    if proposal is None:
        abort(404)
    return proposal


def _fields(form: ProposalForm) -> ProposalFields:
    return ProposalFields(
        title=form.title.data,
        text=form.text.data,
        district=form.district.data or "",
        cost_estimate=form.cost(),
    )


@bp.get("/proposals")
def index() -> str:
    """List and search the published proposals, each with its status and supports."""
    session = get_session()
    query = request.args.get("q", "")[:200]
    district = request.args.get("district", "")[:100]
    status = request.args.get("status", "")
    page = whole_number(request.args.get("page", "1"), 9_999)
    results = search_proposals(
        session=session,
        query=query,
        district=district,
        status=status if status in PUBLIC_PROPOSAL_STATUSES else "",
        page=1 if page is None else page,
    )
    return render_template(
        "proposals/index.html",
        results=results,
        query=query,
        district=district,
        status=status,
        districts=proposal_districts(session=session),
        statuses=PUBLIC_PROPOSAL_STATUSES,
    )


@bp.get("/proposals/<int:proposal_id>")
def detail(proposal_id: int) -> str:
    """Show a proposal: to everyone once published, before that to its author only."""
    return _render_detail(_proposal_or_404(proposal_id))[0]


def _render_detail(
    proposal: Proposal, error: str | None = None, status: int = 200
) -> tuple[str, int]:
    session = get_session()
    resident = current_resident()
    is_author = resident is not None and resident.id == proposal.author_id
    if proposal.status not in PUBLIC_PROPOSAL_STATUSES and not is_author:
        abort(404)
    options = session.exec(select(Option).where(Option.proposal_id == proposal.id)).all()
    page = render_template(
        "proposals/detail.html",
        proposal=proposal,
        supports=support_count(session=session, proposal_id=proposal.id),
        supported=resident is not None
        and has_supported(session=session, proposal_id=proposal.id, account=resident),
        resident=resident,
        is_author=is_author,
        project=session.get(PlannedProject, proposal.project_id) if proposal.project_id else None,
        consultations=[
            session.get(Question, option.question_id).consultation for option in options
        ],
        threshold=current_app.config["PROPOSAL_SUPPORT_THRESHOLD"],
        now=datetime.now(UTC),
        error=error,
    )
    return page, status


@bp.post("/proposals/<int:proposal_id>/support")
@resident_required(verified=True)
def support(proposal_id: int) -> Response | tuple[str, int]:
    """Support a published proposal, once per resident."""
    if not ActionForm().validate_on_submit():
        abort(400)
    session = get_session()
    resident = current_resident()
    assert resident is not None
    try:
        reached_agenda = support_proposal(
            session=session,
            proposal_id=proposal_id,
            account=resident,
            now=datetime.now(UTC),
            threshold=int(current_app.config["PROPOSAL_SUPPORT_THRESHOLD"]),
        )
        session.commit()
    except ProposalError as refused:
        session.rollback()
        proposal = _proposal_or_404(proposal_id)
        return _render_detail(proposal, _message(refused.reason), 409)
    flash(_("Thank you for your support."), "success")
    if reached_agenda:
        _notify_author(_proposal_or_404(proposal_id))
    return redirect(url_for("proposals.detail", proposal_id=proposal_id))


@bp.get("/residents/proposals")
@resident_required()
def mine() -> str:
    """List the resident's own proposals with their status and the city's notes."""
    resident = current_resident()
    assert resident is not None
    proposals = get_session().exec(
        select(Proposal).where(Proposal.author_id == resident.id).order_by(Proposal.id.desc())
    )
    return render_template("proposals/mine.html", proposals=list(proposals), account=resident)


@bp.route("/proposals/new", methods=["GET", "POST"])
@resident_required(verified=True)
def new() -> Response | tuple[str, int] | str:
    """Submit a proposal for moderation."""
    form = ProposalForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("proposals/form.html", form=form, proposal=None), status
    session = get_session()
    resident = current_resident()
    assert resident is not None
    proposal = submit_proposal(session=session, author=resident, fields=_fields(form))
    session.commit()
    _notify_author(proposal)
    flash(_("Thank you. Your proposal will be published once the city has reviewed it."), "success")
    return redirect(url_for("proposals.mine"))


@bp.route("/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
@resident_required(verified=True)
def edit(proposal_id: int) -> Response | tuple[str, int] | str:
    """Change a proposal the city asked changes of, and submit it again."""
    proposal = _proposal_or_404(proposal_id)
    resident = current_resident()
    assert resident is not None
    if proposal.author_id != resident.id:
        abort(404)
    form = ProposalForm(obj=proposal if request.method == "GET" else None)
    if request.method == "GET" and proposal.cost_estimate is not None:
        form.cost_estimate.data = str(proposal.cost_estimate)
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("proposals/form.html", form=form, proposal=proposal), status
    session = get_session()
    try:
        revise_proposal(session=session, proposal=proposal, author=resident, fields=_fields(form))
    except ProposalError as refused:
        session.rollback()
        form.form_errors.append(_message(refused.reason))
        return render_template("proposals/form.html", form=form, proposal=proposal), 409
    session.commit()
    _notify_author(proposal)
    flash(_("Your proposal was submitted again."), "success")
    return redirect(url_for("proposals.mine"))


@bp.get("/staff/proposals")
@role_required(*STAFF)
def staff_index() -> str:
    """List proposals for moderation, those awaiting review first."""
    status = request.args.get("status", "submitted")
    if status not in PROPOSAL_STATUS_LABELS:
        status = "submitted"
    proposals = get_session().exec(
        select(Proposal).where(Proposal.status == status).order_by(Proposal.id)
    )
    return render_template("staff/proposals.html", proposals=list(proposals), status=status)


@bp.get("/staff/proposals/<int:proposal_id>")
@role_required(*STAFF)
def staff_detail(proposal_id: int) -> str:
    """Show a proposal with the moderation and option forms."""
    return _render_staff(_proposal_or_404(proposal_id))[0]


def _render_staff(
    proposal: Proposal,
    moderation: ModerationForm | None = None,
    option: OptionForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    session = get_session()
    option = option or OptionForm()
    option.question.choices = _question_choices()
    return render_template(
        "staff/proposal.html",
        proposal=proposal,
        supports=support_count(session=session, proposal_id=proposal.id),
        moderation=moderation or ModerationForm(),
        option=option,
    ), status


def _question_choices() -> list[tuple[int, str]]:
    return [
        (str(question.id), f"{consultation.title} – {question.text}")
        for consultation, question in option_targets(session=get_session())
    ]


@bp.post("/staff/proposals/<int:proposal_id>/moderate")
@role_required(*EDITORS)
def moderate(proposal_id: int) -> Response | tuple[str, int]:
    """Publish a proposal, ask its author for changes, or reject it with a reason."""
    proposal = _proposal_or_404(proposal_id)
    form = ModerationForm()
    if not form.validate_on_submit():
        return _render_staff(proposal, moderation=form, status=400)
    session = get_session()
    try:
        moderate_proposal(
            session=session,
            proposal=proposal,
            decision=form.decision.data,
            note=form.note.data or "",
            actor=current_user.username,
            now=datetime.now(UTC),
            support_days=int(current_app.config["PROPOSAL_SUPPORT_DAYS"]),
        )
    except ProposalError as refused:
        session.rollback()
        form.form_errors.append(_message(refused.reason))
        return _render_staff(
            _proposal_or_404(proposal_id),
            moderation=form,
            status=400 if refused.reason == "note_missing" else 409,
        )
    session.commit()
    _notify_author(proposal)
    flash(
        _(
            "Done: the proposal is now “%(status)s”.",
            status=PROPOSAL_STATUS_LABELS[proposal.status],
        ),
        "success",
    )
    return redirect(url_for("proposals.staff_detail", proposal_id=proposal_id))


@bp.post("/staff/proposals/<int:proposal_id>/option")
@role_required(*EDITORS)
def to_option(proposal_id: int) -> Response | tuple[str, int]:
    """Turn a published proposal into an option of a draft consultation's question."""
    proposal = _proposal_or_404(proposal_id)
    form = OptionForm()
    form.question.choices = _question_choices()
    if not form.validate_on_submit():
        return _render_staff(proposal, option=form, status=400)
    session = get_session()
    question = session.get(Question, int(form.question.data))
    assert question is not None  # one of the offered choices
    try:
        proposal_to_option(
            session=session, proposal=proposal, question=question, actor=current_user.username
        )
    except ProposalError as refused:
        session.rollback()
        form.form_errors.append(_message(refused.reason))
        return _render_staff(_proposal_or_404(proposal_id), option=form, status=409)
    session.commit()
    _notify_author(proposal)
    flash(_("The proposal is now an option of the consultation."), "success")
    return redirect(url_for("proposals.staff_detail", proposal_id=proposal_id))
