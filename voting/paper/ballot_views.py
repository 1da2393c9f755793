"""Staff pages for keying paper ballots after the close (voting.paper.ballot_entry)."""

import json
from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import BooleanField, IntegerField
from wtforms.validators import InputRequired, NumberRange

from ballots.ballot_pages import ballot_or_404, current_signer, recorded_answers
from ballots.definition import BallotDefinition
from ballots.forms import BallotForm, ballot_form_class
from ballots.models import PaperMark
from ballots.paper_ballots import COUNTED, DISPUTED
from voting.core.db import count_rows
from voting.core.models import Status
from voting.paper.ballot_entry import (
    MAX_SHEET,
    EntryRefused,
    PaperBallot,
    disputed_entry,
    key_paper_ballot,
    settle_paper_ballot,
    sheet_states,
    sheet_totals,
)
from voting.web.auth import EDITORS, STAFF, role_required
from voting.web.db import get_session

bp = Blueprint("paper_ballots", __name__, url_prefix="/staff/consultations/<slug>/paper/ballots")


def _form_class(consultation: BallotDefinition) -> type[BallotForm]:
    """Return the ballot form of the consultation with the sheet's number and validity."""
    return type(
        "PaperBallotForm",
        (ballot_form_class(consultation, with_code=False),),
        {
            "sheet": IntegerField(
                _l("Number of the sheet"),
                validators=[
                    InputRequired(message=_l("Please enter the number written on the sheet.")),
                    NumberRange(
                        1, MAX_SHEET, message=_l("Please enter a sheet number from 1 upwards.")
                    ),
                ],
            ),
            "invalid": BooleanField(_l("The sheet is invalid as a whole")),
        },
    )


def _message(refused: EntryRefused) -> str:
    """Return what staff are told when a keyed sheet is refused."""
    if refused.reason == "ballot_invalid":
        return _("The sheet cannot be keyed like this: %(reason)s", reason=refused.detail)
    return {
        "not_counting": _("Paper ballots are keyed after the close and before the count."),
        "bad_sheet": _("Please enter a sheet number from 1 upwards."),
        "same_person": _(
            "You keyed this sheet already. A second, different staff member must key it."
        ),
        "disputed": _("The two entries of this sheet differ: a third staff member must settle it."),
        "counted": _("This sheet is counted already."),
        "not_disputed": _("Only a sheet whose two entries differ can be settled."),
        "more_sheets": _(
            "As many sheets are keyed as polling cards came back by post: there can be no "
            "more. Check the sheet numbers."
        ),
        "key_rotated": _(
            "The signing key was changed after the close, so paper ballots cannot be signed. "
            "Put the key of the close back in place to key them."
        ),
        "keyed_before": _(
            "You keyed this sheet before: a staff member who keyed neither entry must settle it."
        ),
    }[refused.reason]


def _render(consultation: BallotDefinition, form: BallotForm, status: int = 200) -> tuple[str, int]:
    session = get_session()
    return render_template(
        "staff/paper_ballots.html",
        consultation=consultation,
        form=form,
        sheets=sheet_states(session=session, consultation_id=consultation.id),
        totals=sheet_totals(session=session, consultation_id=consultation.id),
        cards=count_rows(session, PaperMark, consultation.id),
        may_key=consultation.status == Status.CLOSED,
        disputed=DISPUTED,
        counted=COUNTED,
    ), status


@bp.get("/")
@role_required(*STAFF)
def overview(slug: str) -> tuple[str, int]:
    """Show every keyed sheet's state, never its content, and the form to key the next."""
    consultation = ballot_or_404(slug)
    return _render(consultation, _form_class(consultation)(formdata=None))


@bp.post("/")
@role_required(*EDITORS)
def key(slug: str) -> Response | tuple[str, int]:
    """Key one sheet: the first entry, or the second, which counts it if both agree."""
    consultation = ballot_or_404(slug)
    form = _form_class(consultation)()
    if not form.validate():
        return _render(consultation, form, status=400)
    session = get_session()
    try:
        state = key_paper_ballot(
            session=session,
            consultation=consultation,
            ballot=PaperBallot(form.sheet.data, form.answers(), bool(form.invalid.data)),
            actor=current_user.username,
            signer=current_signer(),
            now=datetime.now(UTC),
        )
        session.commit()
    except EntryRefused as refused:
        session.rollback()
        form.form_errors.append(_message(refused))
        status = 400 if refused.reason in ("ballot_invalid", "bad_sheet") else 409
        return _render(consultation, form, status=status)
    flash(
        {
            "waiting": _(
                "Sheet %(sheet)d is saved. A second staff member must now key it.",
                sheet=form.sheet.data,
            ),
            "counted": _(
                "Both entries of sheet %(sheet)d match: it counts.", sheet=form.sheet.data
            ),
            "disputed": _(
                "The entries of sheet %(sheet)d differ. Nothing counts yet: a third staff "
                "member must settle it.",
                sheet=form.sheet.data,
            ),
        }[state],
        "error" if state == DISPUTED else "success",
    )
    return redirect(url_for("paper_ballots.overview", slug=slug))


@bp.get("/<int:sheet>/settle")
@role_required(*EDITORS)
def settle_form(slug: str, sheet: int) -> tuple[str, int]:
    """Show a disputed sheet's two entries to a third person, with the form to key it."""
    consultation = ballot_or_404(slug)
    return _render_settle(consultation, sheet, _form_class(consultation)(formdata=None))


@bp.post("/<int:sheet>/settle")
@role_required(*EDITORS)
def settle(slug: str, sheet: int) -> Response | tuple[str, int]:
    """Key a disputed sheet as it reads; that entry counts."""
    consultation = ballot_or_404(slug)
    form = _form_class(consultation)()
    form.sheet.data = sheet
    if not form.validate():
        return _render_settle(consultation, sheet, form, status=400)
    session = get_session()
    try:
        settle_paper_ballot(
            session=session,
            consultation=consultation,
            ballot=PaperBallot(sheet, form.answers(), bool(form.invalid.data)),
            actor=current_user.username,
            signer=current_signer(),
            now=datetime.now(UTC),
        )
        session.commit()
    except EntryRefused as refused:
        session.rollback()
        form.form_errors.append(_message(refused))
        return _render_settle(consultation, sheet, form, status=409)
    flash(_("Sheet %(sheet)d is settled and counts.", sheet=sheet), "success")
    return redirect(url_for("paper_ballots.overview", slug=slug))


def _render_settle(
    consultation: BallotDefinition, sheet: int, form: BallotForm, status: int = 200
) -> tuple[str, int]:
    entry = disputed_entry(session=get_session(), consultation_id=consultation.id, sheet=sheet)
    if entry is None:
        abort(404)
    if current_user.username in (entry.first_by, entry.second_by):
        # The keyers must not see each other's entry, not even once it is disputed.
        return render_template(
            "staff/paper_ballot_settle.html", consultation=consultation, sheet=sheet, keyer=True
        ), 403
    entries = [
        (name, None if content is None else recorded_answers(consultation, json.loads(content)))
        for name, content in (
            (entry.first_by, entry.first_content),
            (entry.second_by, entry.second_content),
        )
    ]
    form.sheet.data = sheet
    return render_template(
        "staff/paper_ballot_settle.html",
        consultation=consultation,
        sheet=sheet,
        keyer=False,
        entries=entries,
        form=form,
    ), status
