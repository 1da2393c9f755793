"""The public JSON API of the ballot log: leaves, proofs and receipt checks."""

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ballots.checking import (
    ReceiptUnreadable,
    check_receipt,
    parse_receipt,
    receipt_for_tracking_code,
)
from ballots.log import ProofError, consistency, inclusion, leaves, log_root, log_size, tree_heads
from voting.web.db import get_session
from voting.web.lookups import consultation_or_404

bp = Blueprint("ballot_api", __name__, url_prefix="/api/v1")


def _error(message: str, status: int = 400) -> tuple[Response, int]:
    return jsonify({"error": {"status": status, "message": message}}), status


# Version 2: leaves are salted commitments (ballots.commitment); salts come with contents.
LOG_FORMAT = "buergervotum-log/v2"

# Leaves and tree heads per page of the log: bounds the work one request can cause.
PAGE = 10_000


@bp.get("/consultations/<slug>/log")
def log(slug: str) -> Response | tuple[Response, int]:
    """Return the log: size, root, a page of leaves (salts and contents once published), heads."""
    session = get_session()
    consultation = consultation_or_404(slug, announced=True)
    try:
        start = _int_arg("start") or 0
        limit = _int_arg("limit")
    except ValueError as exc:
        return _error(str(exc))
    if limit == 0:  # a page of nothing would never reach the end of the log
        return _error(_("limit must be at least 1."))
    limit = min(limit or PAGE, PAGE)
    size = log_size(session=session, consultation_id=consultation.id)
    heads = tree_heads(session=session, consultation_id=consultation.id, start=start, limit=limit)
    page = leaves(
        session=session,
        consultation_id=consultation.id,
        with_content=consultation.is_published,
        start=start,
        limit=limit,
    )
    return jsonify(
        {
            "format": LOG_FORMAT,
            "consultation": consultation.slug,
            "tree_size": size,
            "root_hash": log_root(session=session, consultation_id=consultation.id).hex(),
            "contents_published": consultation.is_published,
            "start": start,
            "next_start": start + limit if start + limit < size else None,
            "tree_heads": heads,
            "leaves": page,
        }
    )


def _int_arg(name: str) -> int | None:
    value = request.args.get(name)
    if value is None:
        return None
    if not value.isdigit() or len(value) > 12:
        raise ValueError(_("%(name)s must be a whole number.", name=name))
    return int(value)


@bp.get("/consultations/<slug>/log/proof")
def proof(slug: str) -> Response | tuple[Response, int]:
    """Return an inclusion proof (leaf_index, tree_size) or a consistency proof (first, second)."""
    session = get_session()
    consultation = consultation_or_404(slug, announced=True)
    try:
        leaf_index, tree_size = _int_arg("leaf_index"), _int_arg("tree_size")
        first, second = _int_arg("first"), _int_arg("second")
    except ValueError as exc:
        return _error(str(exc))
    try:
        if leaf_index is not None and tree_size is not None:
            path = inclusion(
                session=session,
                consultation_id=consultation.id,
                leaf_index=leaf_index,
                tree_size=tree_size,
            )
            body = {"leaf_index": leaf_index, "tree_size": tree_size}
        elif first is not None and second is not None:
            path = consistency(
                session=session, consultation_id=consultation.id, first=first, second=second
            )
            body = {"first": first, "second": second}
        else:
            return _error(_("Give leaf_index and tree_size, or first and second."))
    except ProofError:
        size = log_size(session=session, consultation_id=consultation.id)
        return _error(_("The log holds %(size)d leaves; there is no such proof in it.", size=size))
    return jsonify({**body, "proof": [h.hex() for h in path]})


@bp.post("/receipts/verify")
def verify_receipt() -> Response | tuple[Response, int]:
    """Check a receipt (the JSON body) or {"tracking_code": …}: signature, inclusion, count."""
    session = get_session()
    body = request.get_data()
    try:
        data = request.get_json(silent=True)
        if isinstance(data, dict) and set(data) == {"tracking_code"}:
            receipt = receipt_for_tracking_code(
                session=session, tracking_code=str(data["tracking_code"])
            )
        else:
            receipt = parse_receipt(body)
        check = check_receipt(session=session, receipt=receipt)
    except ReceiptUnreadable:
        return _error(
            _(
                "This is not a receipt of this site, or the tracking code is unknown. Please "
                "compare it with the receipt you downloaded after voting."
            )
        )
    return jsonify(check.as_json())
