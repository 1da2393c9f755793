"""Download of the verification bundle."""

import json

from flask import Blueprint, abort
from werkzeug.wrappers import Response

from results.bundle import build_bundle
from voting.core.lifecycle import find_consultation
from voting.web.db import get_session

bp = Blueprint("bundle", __name__)


@bp.get("/api/v1/consultations/<slug>/bundle")
def bundle(slug: str) -> Response:
    """Return the bundle of a published consultation as one JSON file; 404 before that."""
    session = get_session()
    consultation = find_consultation(session=session, slug=slug)
    data = build_bundle(session=session, consultation=consultation) if consultation else None
    if data is None:
        abort(404)
    response = Response(
        json.dumps(data, ensure_ascii=False, separators=(",", ":")),
        mimetype="application/json",
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{slug}-bundle.json"'
    return response
