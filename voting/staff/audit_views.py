"""The audit trail for auditors: every staff action, its chain check, and exports."""

import csv
import io
import json

from flask import Blueprint, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from voting.core.audit import EXPORT_FIELDS, events, export_rows, verify_chain
from voting.web.auth import AUDITORS, role_required
from voting.web.db import get_session

bp = Blueprint("audit", __name__, url_prefix="/staff/audit")
PAGE_SIZE = 200
# The chain check's findings, for the catalogue.
CHAIN_PROBLEMS = (
    _l("does not follow the event before it"),
    _l("was changed after it was written"),
)


@bp.get("/")
@role_required(*AUDITORS)
def index() -> str:
    """Show the newest events and whether the chain is intact."""
    session = get_session()
    shown = events(session=session, limit=PAGE_SIZE)
    check = verify_chain(session=session)
    return render_template(
        "staff/audit.html",
        events=shown,
        check=check,
        problem=_(check.problem) if check.problem else "",
        limit=PAGE_SIZE,
    )


@bp.get("/export.<any(csv, json):fmt>")
@role_required(*AUDITORS)
def export(fmt: str) -> Response:
    """Download the whole trail, oldest first, with the hashes to check it independently."""
    rows = list(export_rows(session=get_session()))
    if fmt == "json":
        body = json.dumps({"events": rows}, ensure_ascii=False, indent=1)
        response = Response(body, mimetype="application/json")
    else:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=EXPORT_FIELDS, delimiter=";")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "details": json.dumps(row["details"], ensure_ascii=False)})
        response = Response(buffer.getvalue(), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="audit-trail.{fmt}"'
    return response
