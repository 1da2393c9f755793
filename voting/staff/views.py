"""The staff area: login, the consultations overview and lifecycle steps."""

from functools import partial

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlmodel import func, select
from werkzeug.wrappers import Response

from ballots.ballot_pages import current_signing
from ballots.models import Participation
from ballots.signed_steps import take_step
from ballots.traces import erase_traces
from voting.core.audit import latest_event, record_event
from voting.core.lifecycle import (
    TRANSITIONS,
    ConsultationError,
    EarlyCloseError,
    FourEyesError,
    electorate_size,
    pending_close_request,
    request_early_close,
)
from voting.core.models import AuditEvent, Consultation, Job, JobStatus, utcnow
from voting.staff.audit_text import audit_sentence
from voting.staff.forms import LoginForm
from voting.staff.services import authenticate
from voting.web.auth import EDITORS, STAFF, role_required
from voting.web.confirm import confirmation_page
from voting.web.db import get_engine, get_session
from voting.web.forms import ActionForm, ConfirmForm, EarlyCloseForm
from voting.web.jobs import create_job, enqueue, job_files, progress
from voting.web.labels import STATUS_LABELS
from voting.web.lookups import consultation_or_404
from voting.web.security import is_local_path
from voting.web.steps import perform_step, refusal_message

bp = Blueprint("staff", __name__, url_prefix="/staff")
bp.add_app_template_global(audit_sentence, "audit_sentence")


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
    item = consultation_or_404(slug)
    # The lifecycle table decides which buttons are offered.
    next_actions = [action for action, (source, _t) in TRANSITIONS.items() if source == item.status]
    events = session.exec(
        select(AuditEvent)
        .where(AuditEvent.consultation_id == item.id)
        .order_by(AuditEvent.id.desc())
    )
    jobs = session.exec(
        select(Job).where(Job.consultation_id == item.id).order_by(Job.id.desc()).limit(5)
    )
    tallied = latest_event(session=session, consultation_id=item.id, action="consultation.tally")
    deleted = item.electorate_deleted_at is not None
    return render_template(
        "staff/consultation.html",
        consultation=item,
        electorate=item.eligible_count
        if deleted
        else electorate_size(session=session, consultation_id=item.id),
        turnout=item.voted_count if deleted else _turnout(item.id),
        jobs=list(jobs),
        tallied_by=tallied.actor if tallied else None,
        close_request=pending_close_request(session=session, consultation=item),
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


@bp.get("/consultations/<slug>/<any(open, close):action>")
@role_required(*EDITORS)
def confirm_step(slug: str, action: str) -> tuple[str, int]:
    """Say what opening or closing does and what cannot be undone; ask to confirm it."""
    item = consultation_or_404(slug)
    if action == "close":
        return _close_page(item)
    return confirmation_page(
        item, action, ConfirmForm(), target=url_for("staff.step", slug=slug, action=action)
    )


def _close_page(
    item: Consultation, form: ConfirmForm | None = None, status: int = 200
) -> tuple[str, int]:
    """Render the close's confirmation: before the scheduled end, a request or its approval."""
    early = utcnow() < item.closes_at
    pending = pending_close_request(session=get_session(), consultation=item) if early else None
    if not early or (pending is not None and pending.actor != current_user.username):
        mode, target = "confirm", url_for("staff.step", slug=item.slug, action="close")
    elif pending is None:
        mode, target = "request", url_for("staff.request_close", slug=item.slug)
    else:
        mode, target = "wait", ""
    if form is None or (mode == "request") != isinstance(form, EarlyCloseForm):
        # The form of the other mode was sent: show this mode's form, with that one's message.
        fresh = EarlyCloseForm(formdata=None) if mode == "request" else ConfirmForm(formdata=None)
        if form is not None:
            fresh.form_errors.extend(form.understood.errors)
        form = fresh
    return confirmation_page(
        item, "close", form, target=target, status=status, early=early, pending=pending, mode=mode
    )


@bp.post("/consultations/<slug>/<any(schedule, open, close):action>")
@role_required(*EDITORS)
def step(slug: str, action: str) -> Response | tuple[str, int]:
    """Schedule, open or close a consultation; opening and closing are confirmed first."""

    def confirm(item: Consultation, form: ConfirmForm) -> str:
        if action == "close":
            return _close_page(item, form)[0]
        target = url_for("staff.step", slug=slug, action=action)
        return confirmation_page(item, action, form, target=target)[0]

    return perform_step(
        slug,
        partial(take_step, action=action, signing=current_signing(), now=utcnow()),
        lambda item: _(
            "Done: the consultation is now “%(status)s”.", status=STATUS_LABELS[item.status]
        ),
        then=_erase_traces if action == "close" else None,
        confirm=None if action == "schedule" else confirm,
        name=action,
    )


@bp.post("/consultations/<slug>/close/request")
@role_required(*EDITORS)
def request_close(slug: str) -> Response | tuple[str, int]:
    """Ask, with a written reason, to close voting early; a second staff member confirms."""
    session = get_session()
    item = consultation_or_404(slug)
    form = EarlyCloseForm()
    if not form.validate_on_submit():
        return _close_page(item, form, 400)
    try:
        request_early_close(
            session=session,
            consultation=item,
            actor=current_user.username,
            reason=form.reason.data,
            now=utcnow(),
        )
        session.commit()
        flash(
            _(
                "Your request to close voting early is recorded. A second staff member must "
                "confirm it on the consultation's page."
            ),
            "success",
        )
    except (FourEyesError, EarlyCloseError) as error:
        session.rollback()
        flash(refusal_message(error, "close"), "error")
    except ConsultationError:
        session.rollback()
        flash(_("This step is not possible in the consultation's current state."), "error")
    return redirect(url_for("staff.consultation", slug=slug))


def _erase_traces(item: Consultation) -> str | None:
    """Erase the order of voting from storage once the close is committed; warn if it failed."""
    if erase_traces(engine=get_engine(), consultation_id=item.id):
        return None
    return _(
        "Voting is closed, but the order in which the votes came in could not yet be erased "
        "from the database files. Counting the votes tries again first."
    )


@bp.get("/consultations/<slug>/count")
@role_required(*EDITORS)
def confirm_tally(slug: str) -> tuple[str, int]:
    """Say what counting does and what cannot be undone; ask to confirm it."""
    item = consultation_or_404(slug)
    return confirmation_page(
        item, "tally", ConfirmForm(), target=url_for("staff.tally_job", slug=slug)
    )


@bp.post("/consultations/<slug>/count")
@role_required(*EDITORS)
def tally_job(slug: str) -> Response | tuple[str, int]:
    """Hand the count of a closed consultation to the job worker; show its progress page."""
    session = get_session()
    item = consultation_or_404(slug)
    form = ConfirmForm()
    if not form.validate_on_submit():
        target = url_for("staff.tally_job", slug=slug)
        return confirmation_page(item, "tally", form, target=target, status=400)
    if item.status != "closed":
        flash(_("This step is not possible in the consultation's current state."), "error")
        return redirect(url_for("staff.consultation", slug=slug))
    job = create_job(
        session=session, kind="tally", actor=current_user.username, consultation_id=item.id
    )
    session.commit()
    enqueue(job)
    return redirect(url_for("staff.job", job_id=job.id))


@bp.get("/jobs/<int:job_id>")
@role_required(*STAFF)
def job(job_id: int) -> str:
    """Show how far a job is; the page updates itself while the job runs."""
    item = get_session().get(Job, job_id)
    if item is None:
        abort(404)
    consultation = (
        get_session().get(Consultation, item.consultation_id) if item.consultation_id else None
    )
    return render_template(
        "staff/job.html",
        job=item,
        consultation=consultation,
        running=item.status in (JobStatus.QUEUED, JobStatus.RUNNING),
        progress=progress(job_id) if item.status == JobStatus.RUNNING else None,
        letters_waiting=item.status == JobStatus.DONE and job_files(job_id).has_output(),
        form=ActionForm(),
    )


@bp.post("/jobs/<int:job_id>/letters")
@role_required(*EDITORS)
def job_letters(job_id: int) -> Response | tuple[str, int]:
    """Hand out the letters of an import once; they are deleted as they are sent."""
    session = get_session()
    item = session.get(Job, job_id)
    if item is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    taken = job_files(job_id).take_output() if item.status == JobStatus.DONE else None
    if taken is None:
        flash(
            _(
                "The letters are no longer here: they can be downloaded once, within an hour "
                "of the import. Delete the electorate and import it again to get new letters."
            ),
            "error",
        )
        return redirect(url_for("staff.job", job_id=job_id))
    size, chunks = taken
    record_event(
        session=session,
        actor=current_user.username,
        action="letters.downloaded",
        consultation_id=item.consultation_id,
        job=job_id,
        bytes=size,
    )
    session.commit()
    response = Response(chunks, mimetype=item.result.get("mimetype", "application/octet-stream"))
    response.headers["Content-Length"] = str(size)
    filename = item.result.get("filename", f"letters-{job_id}")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
