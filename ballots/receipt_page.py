"""The receipt page every way of voting ends on, and the signer it needs."""

import base64
import json
from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app, render_template, request, session
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup, escape
from werkzeug.wrappers import Response

from ballots.definition import BallotDefinition, QuestionDefinition
from ballots.forms import option_labels
from ballots.kept import Kept
from ballots.keys import read_signer
from ballots.receipts import Signer
from ballots.services import CastBallot

SIGNER_KEY = "buergervotum.signer"
PAGES_KEY = "buergervotum.receipt_pages"
# Consultations × languages × page addresses a process keeps pages for.
MAX_PAGES = 256
# What differs from one receipt to the next, as the page is kept: a private-use character
# around each name, which no text of the page contains and escaping leaves alone.
HOLE = "\ue000"
HOLES = ("tracking_code", "recorded", "receipt_json", "receipt_href")


def current_signer() -> Signer:
    """Return the receipt signer, loaded from the configured key file once per process."""
    signer = current_app.extensions.get(SIGNER_KEY)
    if signer is None:
        signer = read_signer(
            current_app.config["SIGNING_KEY_PATH"], current_app.config["SIGNING_KEY_PASSPHRASE"]
        )
        current_app.extensions[SIGNER_KEY] = signer
    return signer


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


def receipt_response(consultation: BallotDefinition, cast: CastBallot) -> Response:
    """Render the receipt of a committed ballot; never cached, it is the voter's alone."""
    receipt_json = json.dumps(cast.receipt, indent=2, ensure_ascii=False)
    values = {
        "tracking_code": cast.tracking_code,
        # A macro, not the page: it needs none of the page's context.
        "recorded": _recorded_macro()(recorded_answers(consultation, cast.content)),
        "receipt_json": receipt_json,
        "receipt_href": "data:application/json;base64,"
        + base64.b64encode(receipt_json.encode()).decode(),
    }
    page = _kept_page(consultation)
    if page is None:
        html = _render(consultation, values)
    else:
        html = "".join(
            part if i % 2 == 0 else str(escape(values[part])) for i, part in enumerate(page)
        )
    response = current_app.make_response(html)
    response.headers["Cache-Control"] = "no-store"
    return response


def _render(consultation: BallotDefinition, values: Mapping[str, Any]) -> str:
    return render_template("ballots/receipt.html", consultation=consultation, **values)


def _recorded_macro() -> Any:
    return current_app.jinja_env.get_template("ballots/_recorded.html").module.recorded_answers


def _kept_page(consultation: BallotDefinition) -> list[str] | None:
    """Return the receipt page for this consultation split at its holes, kept per process.

    The same for every visitor not logged in and without a message waiting: its frame,
    texts and links are rendered once per consultation, language and address, and a
    vote fills in its own values. None for anyone else, whose page is rendered whole.
    """
    app: Flask = current_app
    if app.debug or current_user.is_authenticated or session.get("_flashes"):
        return None
    key = (
        consultation.slug,
        consultation.title,
        str(get_locale()),
        request.script_root,
        request.full_path,
    )
    pages: Kept[tuple[str, ...], list[str]]
    pages = app.extensions.setdefault(PAGES_KEY, Kept(MAX_PAGES))
    page = pages.get(key)
    if page is None:
        holes = {name: Markup(f"{HOLE}{name}{HOLE}") for name in HOLES}
        page = _render(consultation, holes).split(HOLE)
        pages.put(key, page)
    return page
