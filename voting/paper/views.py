"""The paper channel in the staff area: returned polling cards and double-entered counts."""

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from ballots.forms import YES_NO_LABELS
from ballots.refusals import STATUS, CastRefused, refusal_message
from results.models import Result
from results.paper import paper_marks_by_district, paper_section
from results.presentation import district_label
from voting.core.audit import latest_event
from voting.core.models import Consultation, Question
from voting.paper.forms import (
    FIELD_LABELS,
    PaperCountForm,
    PaperMarkForm,
    paper_count_form_class,
)
from voting.paper.services import (
    COUNTING_STATUSES,
    MARKING_STATUSES,
    PaperError,
    count_fields,
    countable_questions,
    discard_paper_count,
    electorate_districts,
    enter_paper_count,
    mark_paper_ballot,
    paper_counts,
)
from voting.web.auth import EDITORS, STAFF, role_required
from voting.web.db import get_session
from voting.web.forms import ActionForm
from voting.web.lookups import consultation_or_404

bp = Blueprint("paper", __name__, url_prefix="/staff/consultations/<slug>/paper")


def _message(error: PaperError, question: Question | None = None) -> str:
    """Return what staff are told when a paper-channel request is refused."""
    if error.reason == "total_mismatch":
        return _(
            "The figures add up to a different number of ballots than the %(n)d paper "
            "ballots accepted in this district.",
            n=error.expected or 0,
        )
    if error.reason == "mismatch":
        labels = _field_labels(question) if question else {}
        return _(
            "The figures differ from the first entry in: %(fields)s. Nothing was saved; please "
            "count again.",
            fields=", ".join(str(labels.get(name, name)) for name in error.fields),
        )
    return {
        "not_accepting": _(
            "Paper ballots are accepted only while voting is open or closed, not yet counted."
        ),
        "voted_online": _(
            "This card has already been used to vote online. The paper ballot is invalid: "
            "put it aside unopened, it must not be counted."
        ),
        "already_on_paper": _("This card has already been registered as a paper ballot."),
        "not_counting": _("Paper counts can be entered after the close and until publication."),
        "unknown_district": _("This district is not part of the electorate."),
        "unknown_question": _("This question does not exist."),
        "method_unsuited": _("Ballots of this question cannot be counted by totals."),
        "bad_figures": _(
            "Please enter whole numbers of 0 or more; no option more often than ballots "
            "with a mark."
        ),
        "same_person": _(
            "You entered this count already. A second, different staff member must enter it."
        ),
        "already_confirmed": _("This count has already been confirmed."),
        "not_found": _("This count does not exist."),
    }[error.reason]


def _field_labels(question: Question) -> dict[str, str]:
    form = paper_count_form_class(question, count_fields(question))(formdata=None)
    return {field.short_name[2:]: str(field.label.text) for field in form.figure_fields()} | {
        k: str(v) for k, v in FIELD_LABELS.items()
    }


def _districts(consultation: Consultation) -> list[str]:
    return electorate_districts(session=get_session(), consultation_id=consultation.id)


def _merged_districts(consultation: Consultation) -> list[str]:
    """Return the districts whose cards are counted under the remainder (results.cells)."""
    imported = latest_event(
        session=get_session(), consultation_id=consultation.id, action="electorate.imported"
    )
    return list(imported.details.get("merged_districts", [])) if imported else []


def _count_form(question: Question, districts: list[str], formdata: bool) -> PaperCountForm:
    form_class = paper_count_form_class(question, count_fields(question))
    form = (
        form_class(prefix=f"q-{question.key}")
        if formdata
        else form_class(formdata=None, prefix=f"q-{question.key}")
    )
    form.district.choices = [(d, district_label(d)) for d in districts]
    return form


def _render(
    consultation: Consultation,
    mark_form: PaperMarkForm | None = None,
    count_form: tuple[str, PaperCountForm] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    session = get_session()
    questions = countable_questions(consultation)
    # One query for the districts, shared by the forms of all questions.
    districts = _districts(consultation)
    forms = {q.key: _count_form(q, districts, formdata=False) for q in questions}
    if count_form is not None:
        forms[count_form[0]] = count_form[1]
    return render_template(
        "staff/paper.html",
        consultation=consultation,
        marks=paper_marks_by_district(session=session, consultation_id=consultation.id),
        merged=_merged_districts(consultation),
        counts=paper_counts(session=session, consultation_id=consultation.id),
        questions=questions,
        mark_form=mark_form or PaperMarkForm(formdata=None),
        count_forms=forms,
        may_mark=consultation.status in MARKING_STATUSES,
        may_count=consultation.status in COUNTING_STATUSES,
        action_form=ActionForm(formdata=None),
    ), status


@bp.get("/")
@role_required(*STAFF)
def overview(slug: str) -> tuple[str, int]:
    """Show the paper ballots accepted per district and the state of every count."""
    return _render(consultation_or_404(slug))


@bp.post("/mark")
@role_required(*EDITORS)
def mark(slug: str) -> Response | tuple[str, int]:
    """Register a polling card returned by post; refuse it if it voted online."""
    consultation = consultation_or_404(slug)
    form = PaperMarkForm()
    if not form.validate_on_submit():
        return _render(consultation, mark_form=form, status=400)
    session = get_session()
    try:
        mark_paper_ballot(
            session=session,
            consultation=consultation,
            code=form.code.data,
            pseudonym_key=current_app.config["PSEUDONYM_KEY"],
            actor=current_user.username,
        )
        session.commit()
    except CastRefused as refused:
        # The code itself is wrong: told as it is told to a voter.
        session.rollback()
        form.code.errors = [*form.code.errors, refusal_message(refused)]
        return _render(consultation, mark_form=form, status=STATUS[refused.reason])
    except PaperError as refused:
        session.rollback()
        form.code.errors = [*form.code.errors, _message(refused)]
        return _render(consultation, mark_form=form, status=409)
    flash(_("The paper ballot is registered; the card can no longer vote online."), "success")
    return redirect(url_for("paper.overview", slug=slug))


@bp.post("/count/<question_key>")
@role_required(*EDITORS)
def count(slug: str, question_key: str) -> Response | tuple[str, int]:
    """Enter one district's count of a question; the second entry confirms the first."""
    consultation = consultation_or_404(slug)
    question = next((q for q in countable_questions(consultation) if q.key == question_key), None)
    if question is None:
        abort(404)
    form = _count_form(question, _districts(consultation), formdata=True)
    if not form.validate_on_submit():
        return _render(consultation, count_form=(question.key, form), status=400)
    session = get_session()
    try:
        entry = enter_paper_count(
            session=session,
            consultation=consultation,
            district=form.district.data,
            question_key=question.key,
            figures=form.figures(),
            actor=current_user.username,
            now=datetime.now(UTC),
        )
        session.commit()
    except PaperError as refused:
        session.rollback()
        form.form_errors.append(_message(refused, question))
        consultation = consultation_or_404(slug)
        status = (
            409
            if refused.reason in ("mismatch", "same_person", "already_confirmed", "not_counting")
            else 400
        )
        return _render(consultation, count_form=(question.key, form), status=status)
    if entry.confirmed_by:
        flash(_("Both entries match: the count is confirmed."), "success")
    else:
        flash(
            _("First entry saved. A second staff member must now enter the same count."), "success"
        )
    return redirect(url_for("paper.overview", slug=slug))


@bp.post("/count/<int:count_id>/discard")
@role_required(*EDITORS)
def discard(slug: str, count_id: int) -> Response:
    """Discard an entered count so that it can be entered anew."""
    consultation = consultation_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    session = get_session()
    try:
        discard_paper_count(
            session=session,
            consultation=consultation,
            count_id=count_id,
            actor=current_user.username,
        )
        session.commit()
        flash(_("The count was discarded and can be entered anew."), "success")
    except PaperError as refused:
        session.rollback()
        if refused.reason == "not_found":
            abort(404)
        flash(_message(refused), "error")
    return redirect(url_for("paper.overview", slug=slug))


@bp.app_template_global("paper_result")
def paper_result(consultation: Consultation, result: Result) -> dict[str, Any] | None:
    """Return the paper channel's figures for a published result page."""
    return paper_section(session=get_session(), consultation=consultation, data=result.data)


@bp.app_template_global("paper_option_label")
def paper_option_label(question: dict[str, Any], option: dict[str, Any]) -> str:
    """Return an option's label; yes/no/abstain in the visitor's language."""
    if question["method"] == "yes_no":
        return str(YES_NO_LABELS[option["key"]])
    return str(option["label"])


@bp.app_template_global("paper_outcome")
def paper_outcome(question: dict[str, Any], combined: dict[str, Any]) -> str:
    """Return the combined outcome of a question in words."""
    if question["method"] == "yes_no":
        details = combined["details"]
        counts = details["counts"]
        if details["decision"] == "tie" or (details["valid"] and counts["yes"] == counts["no"]):
            return str(_("tie – the question counts as answered no"))
        if details["decision"] == "not_decided" and not details["valid"]:
            return str(_("not decided – nobody voted yes or no"))
        return str(
            {
                "accepted": _("yes"),
                "rejected": _("no"),
                "not_decided": _("not decided – the quorum was not reached"),
            }[details["decision"]]
        )
    labels = {o["key"]: paper_option_label(question, o) for o in question["options"]}
    if not combined["winners"]:
        return _("no votes")
    return _("most votes: %(options)s", options=", ".join(labels[k] for k in combined["winners"]))
