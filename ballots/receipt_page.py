"""The receipt page every way of voting ends on, and the signer it needs."""

import base64
import json
from typing import Any

from flask import current_app, render_template
from werkzeug.wrappers import Response

from ballots.definition import BallotDefinition, QuestionDefinition
from ballots.forms import option_label
from ballots.keys import read_signer
from ballots.receipts import Signer
from ballots.services import CastBallot

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


def recorded_answer(question: QuestionDefinition, answer: Any) -> list[str]:
    """Return the labels of what was recorded for one question; empty when left blank."""
    labels = {o.key: option_label(question, o.key, o.label) for o in question.options}
    if answer is None:
        return []
    if isinstance(answer, dict):
        # Grades: option -> index into the question's scale, worst first.
        grades = question.params.get("grades", [])
        return [f"{labels[key]}: {grades[grade]}" for key, grade in answer.items()]
    return [labels[key] for key in (answer if isinstance(answer, list) else [answer])]


def receipt_response(consultation: BallotDefinition, cast: CastBallot) -> Response:
    """Render the receipt of a committed ballot; never cached, it is the voter's alone."""
    receipt_json = json.dumps(cast.receipt, indent=2, ensure_ascii=False)
    response = current_app.make_response(
        render_template(
            "ballots/receipt.html",
            consultation=consultation,
            receipt=cast.receipt,
            receipt_json=receipt_json,
            receipt_href="data:application/json;base64,"
            + base64.b64encode(receipt_json.encode()).decode(),
            recorded=[
                (question, recorded_answer(question, cast.content.get(question.key)))
                for question in consultation.questions
            ],
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response
