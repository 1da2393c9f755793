"""Published results: page, charts, JSON; and the staff actions that tally and publish."""

from flask import Blueprint, abort, jsonify, render_template
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from results.models import Result
from results.numbers import format_int, format_percent
from results.paper import paper_section
from results.presentation import chart_alt, chart_bytes, figures, inline_svg, locale_code
from results.services import publish_result, published_result, tally_consultation
from voting.auth import EDITORS, role_required
from voting.db import get_session
from voting.models import Consultation
from voting.services.consultations import find_consultation
from voting.staff_actions import perform_step

bp = Blueprint("results", __name__)


def _published(slug: str) -> tuple[Consultation, Result]:
    """Return a consultation and its result, or 404 while the result is under embargo."""
    session = get_session()
    consultation = find_consultation(session=session, slug=slug)
    result = published_result(session=session, consultation=consultation) if consultation else None
    if consultation is None or result is None:
        abort(404)
    return consultation, result


@bp.get("/consultations/<slug>/results")
def page(slug: str) -> str:
    """Show the published result with charts and tables."""
    consultation, result = _published(slug)
    questions = []
    for question in result.data["questions"]:
        figs = figures(question)
        questions.append(
            {
                "figures": figs,
                "svg": inline_svg(chart_bytes(figs, "svg")),
                "alt": chart_alt(figs),
                "rows": figs.rows(locale_code()),
            }
        )
    return render_template(
        "results/page.html", consultation=consultation, result=result, questions=questions
    )


@bp.get("/consultations/<slug>/results/<key>.<any(png, svg):fmt>")
def chart(slug: str, key: str, fmt: str) -> Response:
    """Download one question's chart."""
    _consultation, result = _published(slug)
    question = next((q for q in result.data["questions"] if q["key"] == key), None)
    if question is None:
        abort(404)
    mimetype = "image/svg+xml" if fmt == "svg" else "image/png"
    response = Response(chart_bytes(figures(question), fmt), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="{slug}-{key}.{fmt}"'
    return response


@bp.get("/api/v1/consultations/<slug>/results")
def api_results(slug: str) -> Response:
    """Return the published result as JSON."""
    consultation, result = _published(slug)
    return jsonify(
        {
            "consultation": consultation.slug,
            "title": consultation.title,
            "published_at": result.published_at.strftime("%Y-%m-%dT%H:%M:%SZ")
            if result.published_at
            else None,
            **result.data,
            "paper": paper_section(
                session=get_session(), consultation=consultation, data=result.data
            ),
        }
    )


@bp.post("/staff/consultations/<slug>/tally")
@role_required(*EDITORS)
def tally(slug: str) -> Response:
    """Count a closed consultation; the result stays under embargo until published."""
    return perform_step(slug, tally_consultation, lambda _item: _("The votes were counted."))


@bp.post("/staff/consultations/<slug>/publish")
@role_required(*EDITORS)
def publish(slug: str) -> Response:
    """Publish a tallied result."""
    return perform_step(slug, publish_result, lambda _item: _("The result is published."))


@bp.app_template_global("format_int")
def _format_int(n: int) -> str:
    return format_int(n, locale_code())


@bp.app_template_global("format_percent")
def _format_percent(part: int, base: int) -> str:
    return format_percent(part, base, locale_code())
