"""Staff upload the electorate: preview first, then import and hand out the letters.

Names and addresses never reach the database, and nothing is kept between preview
and import: the preview remembers only the file's SHA-256 (in the signed session
cookie), and the import asks for the same file again. The import is a job of the job
worker, which reads the upload from the job's folder and writes the letters there;
they are downloaded once from the job's page.
"""

from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask import session as cookie
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from voting.core.lifecycle import ConsultationError, electorate_size
from voting.core.models import Consultation, Status
from voting.electorate.forms import RegisterUploadForm
from voting.electorate.preview import file_digest, preview_electorate
from voting.electorate.retention import delete_electorate, deletion_due_at
from voting.electorate.services import RowProblem
from voting.web.auth import EDITORS, STAFF, role_required
from voting.web.confirm import confirmation_page
from voting.web.db import get_session
from voting.web.forms import ConfirmForm
from voting.web.jobs import create_job, enqueue, job_files
from voting.web.lookups import consultation_or_404

bp = Blueprint("electorate", __name__, url_prefix="/staff/consultations")
PREVIEW_KEY = "electorate_preview"
MAX_SHOWN_PROBLEMS = 1000


def problem_text(problem: RowProblem) -> str:
    """Say in the staff member's language what is wrong with a line."""
    values = problem.values
    texts = {
        "empty": lambda: _("the column %(column)s is empty", column=values.get("column", "")),
        "birth_year": lambda: _("the birth year is not a number"),
        "birth_date": lambda: _(
            "the birth date %(text)s is not a date (DD.MM.YYYY or YYYY-MM-DD)",
            text=values.get("text", ""),
        ),
        "duplicate": lambda: _("the same person as in line %(line)s", line=values.get("line", "")),
        "missing_columns": lambda: _(
            "columns are missing: %(columns)s", columns=values.get("columns", "")
        ),
        "empty_file": lambda: _("the file is empty"),
    }
    return texts[problem.code]() if problem.code in texts else str(problem)


def _page(
    item: Consultation, form: RegisterUploadForm, status: int = 200, **extra: Any
) -> tuple[str, int]:
    db = get_session()
    html = render_template(
        "staff/electorate.html",
        consultation=item,
        form=form,
        electorate=electorate_size(session=db, consultation_id=item.id),
        may_import=item.status in (Status.DRAFT, Status.SCHEDULED),
        deletion_due=deletion_due_at(
            session=db,
            consultation=item,
            retention_days=current_app.config["ELECTORATE_RETENTION_DAYS"],
        ),
        problem_text=problem_text,
        max_shown=MAX_SHOWN_PROBLEMS,
        **extra,
    )
    return html, status


@bp.get("/<slug>/electorate")
@role_required(*STAFF)
def show(slug: str) -> tuple[str, int]:
    """Show the electorate's size and the upload form."""
    return _page(consultation_or_404(slug), RegisterUploadForm())


@bp.post("/<slug>/electorate/preview")
@role_required(*EDITORS)
def preview(slug: str) -> tuple[str, int]:
    """Read an upload and show what importing it would do; store nothing of it."""
    item = consultation_or_404(slug)
    form = RegisterUploadForm()
    if not form.validate_on_submit():
        return _page(item, form, 400)
    raw = form.register.data.read()
    result = preview_electorate(item, raw)
    cookie[PREVIEW_KEY] = {"slug": slug, "digest": result.digest}
    return _page(item, RegisterUploadForm(formdata=None), 200, preview=result)


@bp.post("/<slug>/electorate/import")
@role_required(*EDITORS)
def start_import(slug: str) -> Response | tuple[str, int]:
    """Hand the previewed file to the job worker and go to the job's progress page."""
    item = consultation_or_404(slug)
    form = RegisterUploadForm()
    if not form.validate_on_submit():
        return _page(item, form, 400)
    raw = form.register.data.read()
    previewed = cookie.get(PREVIEW_KEY) or {}
    if previewed.get("slug") != slug or previewed.get("digest") != file_digest(raw):
        form.form_errors.append(
            _("This is not the file you previewed. Please preview it first, then import it.")
        )
        return _page(item, form, 409)
    result = preview_electorate(item, raw)
    if result.unusable or (result.problems and not form.skip_bad_lines.data):
        form.form_errors.append(
            _("The file has bad lines. Correct them, or choose to leave them out.")
        )
        return _page(item, form, 400, preview=result)
    if item.status not in (Status.DRAFT, Status.SCHEDULED) or electorate_size(
        session=get_session(), consultation_id=item.id
    ):
        form.form_errors.append(_("An electorate can be imported once, before voting opens."))
        return _page(item, form, 409)
    db = get_session()
    job = create_job(
        session=db,
        kind="import",
        actor=current_user.username,
        consultation_id=item.id,
        params={
            "format": form.letters.data if form.letters.data in ("pdf", "csv") else "pdf",
            "skip_bad_lines": bool(form.skip_bad_lines.data),
        },
    )
    # The upload waits in the job's folder, never in the queue or the database.
    job_files(job.id).write_input(raw)
    db.commit()
    cookie.pop(PREVIEW_KEY, None)
    enqueue(job)
    return redirect(url_for("staff.job", job_id=job.id))


@bp.get("/<slug>/electorate/delete")
@role_required(*EDITORS)
def confirm_delete(slug: str) -> tuple[str, int]:
    """Say what deleting the electorate removes for good; ask to confirm it."""
    item = consultation_or_404(slug)
    target = url_for("electorate.delete", slug=slug)
    return confirmation_page(item, "delete_electorate", ConfirmForm(), target=target)


@bp.post("/<slug>/electorate/delete")
@role_required(*EDITORS)
def delete(slug: str) -> Response | tuple[str, int]:
    """Delete the electorate: before voting to start over, or after the retention period."""
    item = consultation_or_404(slug)
    form = ConfirmForm()
    if not form.validate_on_submit():
        target = url_for("electorate.delete", slug=slug)
        return confirmation_page(item, "delete_electorate", form, target=target, status=400)
    db = get_session()
    try:
        deletion = delete_electorate(
            session=db,
            consultation=item,
            actor=current_user.username,
            retention_days=current_app.config["ELECTORATE_RETENTION_DAYS"],
        )
        db.commit()
        flash(
            _(
                "The electorate is deleted: %(voters)d voters and their code hashes.",
                voters=deletion.voters,
            ),
            "success",
        )
    except ConsultationError:
        db.rollback()
        flash(
            _(
                "The electorate cannot be deleted now: before voting opens, or after publication "
                "and the retention period only."
            ),
            "error",
        )
    return redirect(url_for("electorate.show", slug=slug))
