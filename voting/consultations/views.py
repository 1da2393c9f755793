"""Public pages: the list of consultations and each consultation's page."""

from flask import Blueprint, abort, redirect, render_template, request, session
from markupsafe import Markup
from sqlmodel import select
from werkzeug.wrappers import Response

from voting.core.config import LANGUAGES
from voting.core.models import Consultation, Status
from voting.web.db import get_session
from voting.web.lookups import consultation_or_404
from voting.web.richtext import render_markdown
from voting.web.security import is_local_path

bp = Blueprint("consultations", __name__)

PUBLIC_STATUSES = [s.value for s in Status if s != Status.DRAFT]


@bp.get("/")
def index() -> str:
    """List every consultation that has been announced."""
    consultations = get_session().exec(
        select(Consultation)
        .where(Consultation.status.in_(PUBLIC_STATUSES))
        .order_by(Consultation.closes_at.desc())
    )
    return render_template("consultations/index.html", consultations=list(consultations))


@bp.get("/consultations/<slug>")
def detail(slug: str) -> str:
    """Show a consultation with its questions."""
    consultation = consultation_or_404(slug, announced=True)
    return render_template("consultations/detail.html", consultation=consultation)


@bp.get("/language/<code>")
def set_language(code: str) -> Response:
    """Remember the chosen language and go back to the page the visitor came from."""
    if code not in LANGUAGES:
        abort(404)
    session["lang"] = code
    target = request.args.get("next", "/")
    # Only paths on this site: an open redirect would help phishing.
    return redirect(target if is_local_path(target) else "/")


@bp.app_template_filter("markdown")
def _markdown(text: str) -> Markup:
    return render_markdown(text)
