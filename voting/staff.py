"""The staff area: login, the consultations overview and lifecycle steps."""

from functools import partial

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from sqlmodel import func, select
from werkzeug.wrappers import Response

from ballots.models import Participation
from voting.auth import EDITORS, STAFF, role_required
from voting.db import get_session
from voting.forms import ActionForm, LoginForm
from voting.labels import STATUS_LABELS
from voting.models import AuditEvent, Consultation
from voting.security import is_local_path
from voting.services.accounts import authenticate
from voting.services.audit import record_event
from voting.services.consultations import (
    TRANSITIONS,
    electorate_size,
    find_consultation,
    transition,
)
from voting.staff_actions import perform_step

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | tuple[str, int] | str:
    """Log a staff member in."""
    form = LoginForm()
    if form.validate_on_submit():
        session = get_session()
        user = authenticate(
            session=session, username=form.username.data, password=form.password.data
        )
        if user is not None:
            login_user(user)
            record_event(session=session, actor=user.username, action="staff.login")
            session.commit()
            return redirect(_safe_next(request.args.get("next")))
        form.form_errors.append(_("User name or password is wrong."))
        return render_template("staff/login.html", form=form), 401
    status = 400 if form.is_submitted() else 200
    return render_template("staff/login.html", form=form), status


def _safe_next(target: str | None) -> str:
    """Return a local path to go on to after login; anything else goes to the overview."""
    return target if target and is_local_path(target) else url_for("staff.dashboard")


@bp.post("/logout")
@role_required(*STAFF)
def logout() -> Response:
    """Log out."""
    if not ActionForm().validate_on_submit():
        abort(400)
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("consultations.index"))


@bp.get("/")
@role_required(*STAFF)
def dashboard() -> str:
    """List all consultations with their state."""
    consultations = get_session().exec(
        select(Consultation).order_by(Consultation.created_at.desc())
    )
    return render_template("staff/dashboard.html", consultations=list(consultations))


@bp.get("/consultations/<slug>")
@role_required(*STAFF)
def consultation(slug: str) -> str:
    """Show a consultation's state, turnout, next steps and audit trail."""
    session = get_session()
    item = find_consultation(session=session, slug=slug)
    if item is None:
        abort(404)
    # The lifecycle table decides which buttons are offered.
    next_actions = [action for action, (source, _t) in TRANSITIONS.items() if source == item.status]
    events = session.exec(
        select(AuditEvent)
        .where(AuditEvent.consultation_id == item.id)
        .order_by(AuditEvent.id.desc())
    )
    return render_template(
        "staff/consultation.html",
        consultation=item,
        electorate=electorate_size(session=session, consultation_id=item.id),
        turnout=_turnout(item.id),
        next_actions=next_actions,
        events=list(events),
        form=ActionForm(),
    )


def _turnout(consultation_id: int) -> int:
    """Return how many have voted (no counts of answers: those wait for the tally)."""
    return (
        get_session()
        .exec(
            select(func.count())
            .select_from(Participation)
            .where(Participation.consultation_id == consultation_id)
        )
        .one()
    )


@bp.post("/consultations/<slug>/<any(schedule, open, close):action>")
@role_required(*EDITORS)
def step(slug: str, action: str) -> Response:
    """Schedule, open or close a consultation."""
    return perform_step(
        slug,
        partial(transition, action=action),
        lambda item: _(
            "Done: the consultation is now “%(status)s”.", status=STATUS_LABELS[item.status]
        ),
    )
