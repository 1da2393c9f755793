"""Casting a ballot on the web and the public signing keys."""

import base64
import json
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, current_app, jsonify, render_template
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from ballots.content import BallotError
from ballots.forms import ballot_form_class, option_label
from ballots.keys import published_keys, read_signer
from ballots.receipts import Signer, issued_hour, sign_receipt
from ballots.services import CastRefused, cast_ballot
from voting.db import get_session
from voting.models import Consultation, Question, Status
from voting.services.consultations import find_consultation

bp = Blueprint("ballots", __name__)

SIGNER_KEY = "buergervotum.signer"


def current_signer() -> Signer:
    """Return the receipt signer, loaded from the configured key file once per process."""
    signer = current_app.extensions.get(SIGNER_KEY)
    if signer is None:
        signer = read_signer(
            current_app.config["SIGNING_KEY_PATH"], current_app.config["SIGNING_KEY_PASSPHRASE"]
        )
        current_app.extensions[SIGNER_KEY] = signer
    return signer


def _refusal(reason: str, error: BallotError | None) -> tuple[str, int]:
    """Return the message and status for a refused ballot."""
    if reason == "already_voted":
        return _("This code has already been used to vote."), 409
    if reason == "not_open":
        return _("This consultation is not open for voting."), 409
    if reason == "code_typo":
        return _("The code contains a typing error. Please compare it with your letter."), 400
    if reason == "code_format":
        return _(
            "This is not a polling code. A code has 20 letters and digits in groups of four, "
            "for example K7QM-9XDR-2TAW-P4NB-5HCE."
        ), 400
    if reason == "unknown_code":
        return _("This code is not valid for this consultation."), 403
    assert error is not None
    limit = error.limit or 0
    messages = {
        "too_many": ngettext(
            "Please choose at most %(num)d option.", "Please choose at most %(num)d options.", limit
        ),
        "too_few": ngettext(
            "Please choose at least %(num)d option.",
            "Please choose at least %(num)d options.",
            limit,
        ),
    }
    return messages.get(error.problem, _("Please choose only among the options shown.")), 400


def _consultation_or_404(slug: str) -> Consultation:
    consultation = find_consultation(session=get_session(), slug=slug)
    if consultation is None or consultation.status == Status.DRAFT:
        abort(404)
    return consultation


@bp.route("/consultations/<slug>/vote", methods=["GET", "POST"])
def vote(slug: str) -> Response | tuple[str, int] | str:
    """Show the ballot; on submit, cast it and hand out the signed receipt."""
    session = get_session()
    consultation = _consultation_or_404(slug)
    form = ballot_form_class(consultation)()
    if not form.is_submitted():
        return render_template("ballots/vote.html", consultation=consultation, form=form)
    if not consultation.is_open:
        form.form_errors.append(_refusal("not_open", None)[0])
        return render_template("ballots/vote.html", consultation=consultation, form=form), 409
    if not form.validate():
        return render_template("ballots/vote.html", consultation=consultation, form=form), 400

    try:
        cast = cast_ballot(
            session=session,
            consultation_id=consultation.id,
            code=form.code.data,
            answers=form.answers(),
            pseudonym_key=current_app.config["PSEUDONYM_KEY"],
            now=datetime.now(UTC),
        )
        session.commit()
    except CastRefused as refused:
        session.rollback()
        message, status = _refusal(refused.reason, refused.error)
        if refused.reason in ("code_typo", "code_format", "unknown_code"):
            form.code.errors = [*form.code.errors, message]
        else:
            form.form_errors.append(message)
        return render_template("ballots/vote.html", consultation=consultation, form=form), status
    except IntegrityError:
        # Another request with the same code won the race: the mark is unique.
        session.rollback()
        form.form_errors.append(_refusal("already_voted", None)[0])
        return render_template("ballots/vote.html", consultation=consultation, form=form), 409

    # Signed only now: a receipt must never exist for a ballot that was not stored.
    receipt = sign_receipt(cast.receipt_fields(issued_hour(datetime.now(UTC))), current_signer())
    receipt_json = json.dumps(receipt, indent=2, ensure_ascii=False)
    recorded = [
        (question, _recorded_answer(question, cast.content.get(question.key)))
        for question in consultation.questions
    ]
    response = current_app.make_response(
        render_template(
            "ballots/receipt.html",
            consultation=consultation,
            receipt=receipt,
            receipt_json=receipt_json,
            receipt_href="data:application/json;base64,"
            + base64.b64encode(receipt_json.encode()).decode(),
            recorded=recorded,
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _recorded_answer(question: Question, answer: Any) -> list[str]:
    """Return the labels of what was recorded for one question; empty when left blank."""
    labels = {o.key: option_label(question, o.key, o.label) for o in question.options}
    if answer is None:
        return []
    return [labels[key] for key in (answer if isinstance(answer, list) else [answer])]


@bp.get("/keys.json")
def keys() -> Response:
    """Publish every receipt-signing public key."""
    return jsonify(
        {
            "keys": [
                {
                    "key_id": key.key_id,
                    "algorithm": "Ed25519",
                    "public_key": key.public_key,
                    "created_at": key.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                }
                for key in published_keys(session=get_session())
            ]
        }
    )
