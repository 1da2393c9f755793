"""What every page that casts a ballot shares: its consultation, the signer, the receipt."""

import base64
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from flask import abort, current_app, render_template
from werkzeug.wrappers import Response

from ballots.casting import CastBallot, Credential, cast_ballot
from ballots.definition import BallotDefinition, QuestionDefinition, find_definition
from ballots.forms import option_labels
from ballots.keys import read_signer
from ballots.limits import mark_code_refused
from ballots.receipts import Signer
from ballots.refusals import STATUS, CastRefused, refusal_message
from ballots.signed_steps import Signing
from voting.core.models import Status
from voting.web.db import get_session

SIGNER_KEY = "buergervotum.signer"


def ballot_or_404(slug: str) -> BallotDefinition:
    """Return the ballot of an announced consultation; 404 for a draft or none."""
    consultation = find_definition(session=get_session(), slug=slug)
    if consultation is None or consultation.status == Status.DRAFT:
        abort(404)
    return consultation


def current_signer() -> Signer:
    """Return the receipt signer, loaded from the configured key file once per process."""
    signer = current_app.extensions.get(SIGNER_KEY)
    if signer is None:
        signer = read_signer(
            current_app.config["SIGNING_KEY_PATH"], current_app.config["SIGNING_KEY_PASSPHRASE"]
        )
        current_app.extensions[SIGNER_KEY] = signer
    return signer


def current_signing() -> Signing:
    """Return what a signed lifecycle step needs: the receipt signer and the threshold."""
    return Signing(current_signer(), int(current_app.config["MIN_DISTRICT_BALLOTS"]))


def recorded_answers(
    consultation: BallotDefinition, content: Mapping[str, Any]
) -> list[tuple[QuestionDefinition, list[str]]]:
    """Return each question with the labels of what was recorded; empty when left blank."""
    labels = option_labels(consultation)
    recorded = []
    for question in consultation.questions:
        answer, names = content.get(question.key), labels[question.key]
        if answer is None:
            shown = []
        elif isinstance(answer, dict):
            # Grades: option -> index into the question's scale, worst first.
            grades = question.params.get("grades", [])
            shown = [f"{names[key]}: {grades[grade]}" for key, grade in answer.items()]
        else:
            shown = [names[key] for key in (answer if isinstance(answer, list) else [answer])]
        recorded.append((question, shown))
    return recorded


def cast_from_form(
    consultation: BallotDefinition,
    form: Any,
    credential: Credential,
    *,
    page: str,
    by_account: bool = False,
) -> Response | tuple[str, int]:
    """Cast the submitted ballot and answer with its receipt, or with ``page`` and the refusal.

    One commit: the receipt is rendered only once the ballot is stored.
    """
    session = get_session()
    try:
        cast = cast_ballot(
            session=session,
            consultation=consultation,
            credential=credential,
            answers=form.answers(),
            pseudonym_key=current_app.config["PSEUDONYM_KEY"],
            signer=current_signer(),
            now=datetime.now(UTC),
        )
        session.commit()
    except CastRefused as refused:
        session.rollback()
        message = refusal_message(refused, by_account=by_account)
        if refused.is_about_the_code:
            mark_code_refused()
            form.code.errors = [*form.code.errors, message]
        elif refused.error is not None and refused.error.problem == "over_budget":
            # Beside the question, where the resident changes the choice.
            field = form[f"q_{refused.error.question}"]
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)
        return render_template(page, consultation=consultation, form=form), STATUS[refused.reason]
    return receipt_response(consultation, cast)


def receipt_response(consultation: BallotDefinition, cast: CastBallot) -> Response:
    """Render the receipt of a committed ballot; never cached, it is the voter's alone."""
    receipt_json = json.dumps(cast.receipt, indent=2, ensure_ascii=False)
    html = render_template(
        "ballots/receipt.html",
        consultation=consultation,
        tracking_code=cast.tracking_code,
        recorded=recorded_answers(consultation, cast.content),
        receipt_json=receipt_json,
        receipt_href="data:application/json;base64,"
        + base64.b64encode(receipt_json.encode()).decode(),
    )
    response = current_app.make_response(html)
    response.headers["Cache-Control"] = "no-store"
    return response
