"""Casting a ballot on the web and the public signing keys."""

from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response

from ballots.checking import (
    ReceiptUnreadable,
    check_receipt,
    parse_receipt,
    receipt_for_tracking_code,
)
from ballots.content import BallotError
from ballots.definition import BallotDefinition, find_definition, find_open_definition
from ballots.forms import ballot_form_class
from ballots.keys import public_key_list
from ballots.limits import guard_code_guesses, mark_code_refused
from ballots.receipt_page import current_signer, receipt_response, recorded_answers
from ballots.services import CastRefused, keep_receipt, prepare_ballot, record_ballot
from voting.core.db import committing, release_locks, writes_follow
from voting.core.models import Status
from voting.web.db import get_session

bp = Blueprint("ballots", __name__)


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


def _consultation_or_404(slug: str) -> BallotDefinition:
    # A ballot sent is checked against the status again as it is cast: no query for it here.
    find = find_open_definition if request.method == "POST" else find_definition
    consultation = find(session=get_session(), slug=slug)
    if consultation is None or consultation.status == Status.DRAFT:
        abort(404)
    return consultation


@bp.route("/consultations/<slug>/vote", methods=["GET", "POST"])
@guard_code_guesses
def vote(slug: str) -> Response | tuple[str, int] | str:
    """Show the ballot; on submit, cast it and hand out the signed receipt."""
    # Reads first; the cast then holds a write transaction for its writes alone.
    session = get_session(writer=False)
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
        ballot = prepare_ballot(
            consultation=consultation,
            code=form.code.data,
            answers=form.answers(),
            pseudonym_key=current_app.config["PSEUDONYM_KEY"],
        )
        # Only read so far: on SQLite the write lock is taken only now, for the writes alone.
        writes_follow(session)
        with committing(session):
            cast = record_ballot(
                session=session, ballot=ballot, signer=current_signer(), now=datetime.now(UTC)
            )
            # The next cast may append from here on. The commit that ends the block waits
            # for the disk, for the tree head and the ballot alike; only then the receipt.
            release_locks(session)
            keep_receipt(session=session, cast=cast)
    except CastRefused as refused:
        session.rollback()
        message, status = _refusal(refused.reason, refused.error)
        if refused.reason in ("code_typo", "code_format", "unknown_code"):
            mark_code_refused()
            form.code.errors = [*form.code.errors, message]
        else:
            form.form_errors.append(message)
        return render_template("ballots/vote.html", consultation=consultation, form=form), status

    # Handed out only now: a receipt must never leave for a ballot that was not stored.
    return receipt_response(consultation, cast)


@bp.get("/keys.json")
def keys() -> Response:
    """Publish every receipt-signing public key."""
    return jsonify({"keys": public_key_list(session=get_session())})


@bp.route("/verify", methods=["GET", "POST"])
def verify() -> tuple[str, int] | str:
    """Meine Stimme prüfen: check a pasted or uploaded receipt, or a tracking code."""
    if request.method == "GET":
        return render_template("ballots/verify.html", check=None, error=None)
    session = get_session()
    upload = request.files.get("receipt_file")
    text = upload.read() if upload and upload.filename else request.form.get("receipt", "")
    tracking_code = request.form.get("tracking_code", "")
    try:
        if text.strip():
            receipt = parse_receipt(text)
        elif tracking_code.strip():
            receipt = receipt_for_tracking_code(session=session, tracking_code=tracking_code)
        else:
            error = _("Please paste or upload your receipt, or enter your tracking code.")
            return render_template("ballots/verify.html", check=None, error=error), 400
        check = check_receipt(session=session, receipt=receipt)
    except ReceiptUnreadable:
        error = _(
            "This is not a receipt of this site, or the tracking code is unknown. Please "
            "compare it with the receipt you downloaded after voting."
        )
        return render_template("ballots/verify.html", check=None, error=error), 400
    recorded = []
    if check.content is not None:
        definition = find_definition(session=session, consultation_id=check.consultation.id)
        assert definition is not None  # the receipt was checked against this consultation
        recorded = recorded_answers(definition, check.content)
    return render_template("ballots/verify.html", check=check, recorded=recorded, error=None)
