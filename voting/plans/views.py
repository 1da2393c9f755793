"""The Vorhabenliste on the web: public list and pages; staff keep it."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import select
from werkzeug.wrappers import Response

from voting.core.models import Consultation
from voting.plans.forms import ProjectForm
from voting.plans.services import (
    ProjectFields,
    list_projects,
    project_consultations,
    project_proposals,
    save_project,
)
from voting.proposals.models import PUBLIC_PROPOSAL_STATUSES, PlannedProject, Proposal
from voting.web.auth import EDITORS, STAFF, role_required
from voting.web.db import get_session

bp = Blueprint("plans", __name__)


def _project_or_404(project_id: int) -> PlannedProject:
    project = get_session().get(PlannedProject, project_id)
    if project is None:
        abort(404)
    return project


@bp.get("/projects")
def index() -> str:
    """List the city's planned projects and the participation planned for each."""
    session = get_session()
    district = request.args.get("district", "")[:100]
    projects = list_projects(session=session, district=district)
    return render_template(
        "plans/index.html",
        projects=[
            (
                project,
                project_consultations(session=session, project_id=project.id, public_only=True),
                project_proposals(session=session, project_id=project.id, public_only=True),
            )
            for project in projects
        ],
        district=district,
        districts=sorted({p.district for p in list_projects(session=session) if p.district}),
    )


@bp.get("/projects/<int:project_id>")
def detail(project_id: int) -> str:
    """Show one planned project with its consultations and proposals."""
    session = get_session()
    project = _project_or_404(project_id)
    return render_template(
        "plans/detail.html",
        project=project,
        consultations=project_consultations(
            session=session, project_id=project.id, public_only=True
        ),
        proposals=project_proposals(session=session, project_id=project.id, public_only=True),
    )


@bp.get("/staff/projects")
@role_required(*STAFF)
def staff_index() -> str:
    """List the planned projects for editing."""
    return render_template("staff/projects.html", projects=list_projects(session=get_session()))


def _form(project: PlannedProject | None) -> ProjectForm:
    session = get_session()
    form = ProjectForm(obj=project if request.method == "GET" else None)
    form.consultations.choices = [
        (str(c.id), c.title)
        for c in session.exec(select(Consultation).order_by(Consultation.title))
    ]
    form.proposals.choices = [
        (str(p.id), p.title)
        for p in session.exec(
            select(Proposal)
            .where(Proposal.status.in_(PUBLIC_PROPOSAL_STATUSES))
            .order_by(Proposal.title)
        )
    ]
    if project is not None and request.method == "GET":
        form.consultations.data = [
            c.id
            for c in project_consultations(
                session=session, project_id=project.id, public_only=False
            )
        ]
        form.proposals.data = [
            p.id
            for p in project_proposals(session=session, project_id=project.id, public_only=False)
        ]
    return form


@bp.route("/staff/projects/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def new() -> Response | tuple[str, int] | str:
    """Add a planned project."""
    return _edit(None)


@bp.route("/staff/projects/<int:project_id>/edit", methods=["GET", "POST"])
@role_required(*EDITORS)
def edit(project_id: int) -> Response | tuple[str, int] | str:
    """Change a planned project."""
    return _edit(_project_or_404(project_id))


def _edit(project: PlannedProject | None) -> Response | tuple[str, int] | str:
    form = _form(project)
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("staff/project_form.html", form=form, project=project), status
    session = get_session()
    saved = save_project(
        session=session,
        project=project,
        fields=ProjectFields(
            title=form.title.data,
            timeframe=form.timeframe.data,
            participation_form=form.participation_form.data,
            description=form.description.data or "",
            district=form.district.data or "",
            consultation_ids=[int(value) for value in form.consultations.data or []],
            proposal_ids=[int(value) for value in form.proposals.data or []],
        ),
        actor=current_user.username,
    )
    session.commit()
    flash(_("The planned project is saved."), "success")
    return redirect(url_for("plans.detail", project_id=saved.id))
