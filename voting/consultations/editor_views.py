"""The consultation editor: staff create and change drafts in the browser."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from voting.consultations.editing import (
    ALL_FIELDS,
    ANNOUNCED,
    READ_ONLY,
    keep_locked,
    locked_fields,
    save_draft,
)
from voting.consultations.forms import ConsultationForm, flat_errors, form_data, form_to_spec
from voting.consultations.problems import SpecError
from voting.consultations.services import KNOWN_METHODS, parse_spec, spec_of
from voting.consultations.spec_errors import show_spec_errors
from voting.core.models import Consultation
from voting.web.auth import EDITORS, STAFF, role_required
from voting.web.db import get_session
from voting.web.labels import LOCK_REASONS, METHOD_LABELS
from voting.web.lookups import consultation_or_404

bp = Blueprint("editor", __name__, url_prefix="/staff/consultations")


def _method_choices() -> list[SelectChoice]:
    return [SelectChoice(name, METHOD_LABELS.get(name, name)) for name in sorted(KNOWN_METHODS)]


@bp.route("/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def create() -> Response | str | tuple[str, int]:
    """Create a consultation draft."""
    return _edit(None)


@bp.get("/<slug>/edit")
@role_required(*STAFF)
def show(slug: str) -> Response | str | tuple[str, int]:
    """Show a consultation's definition: editable for editors in a draft, else locked."""
    return _edit(consultation_or_404(slug))


@bp.post("/<slug>/edit")
@role_required(*EDITORS)
def edit(slug: str) -> Response | str | tuple[str, int]:
    """Save changes to a draft."""
    return _edit(consultation_or_404(slug))


def _edit(consultation: Consultation | None) -> Response | str | tuple[str, int]:
    session = get_session()
    locks = locked_fields(session=session, consultation=consultation)
    if not current_user.may(*EDITORS):
        # Auditors read everything and change nothing.
        locks = dict.fromkeys(ALL_FIELDS, READ_ONLY)
    frozen = bool(locks) and set(locks.values()) <= {ANNOUNCED, READ_ONLY}
    if request.method == "GET" and consultation is not None:
        form = ConsultationForm(data=form_data(consultation))
    else:
        form = ConsultationForm()
    form.set_methods(_method_choices())

    def page(status: int = 200) -> tuple[str, int]:
        html = render_template(
            "staff/editor.html",
            form=form,
            consultation=consultation,
            locks=locks,
            lock_reasons=LOCK_REASONS,
            frozen=frozen,
            flat_errors=flat_errors,
        )
        return html, status

    if not form.is_submitted():
        return page()
    if frozen:
        form.form_errors.append(_("This consultation has been announced; it cannot be changed."))
        return page(409)
    if form.add_question.data:
        # Another empty question, nothing saved (CSRFProtect checked the token already);
        # the page works without JavaScript.
        if len(form.questions) < form.questions.max_entries:
            form.questions.append_entry()
            form.set_methods(_method_choices())
        return page()
    if not form.validate():
        return page(400)
    data, readable = form_to_spec(form)
    if consultation is not None:
        data["slug"] = consultation.slug
        keep_locked(data, spec_of(consultation), locks)
    if not readable:
        return page(400)
    kept = [i for i, entry in enumerate(form.questions) if not entry.form.remove.data]
    try:
        spec = parse_spec(data)
        saved, what = save_draft(
            session=session,
            spec=spec,
            actor=current_user.username,
            slug=consultation.slug if consultation else None,
        )
        session.commit()
    except SpecError as exc:
        session.rollback()
        show_spec_errors(form, exc.problems, kept)
        return page(400)
    messages = {
        "created": _("The draft was created."),
        "updated": _("The draft was saved."),
        "unchanged": _("Nothing was changed."),
    }
    flash(messages[what], "success")
    return redirect(url_for("staff.consultation", slug=saved.slug))
