"""Published results: page, charts, JSON; and the staff actions that tally and publish."""

import csv
import io
import json
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from flask import Blueprint, abort, current_app, jsonify, render_template, url_for
from flask_babel import gettext as _
from sqlmodel import select
from werkzeug.wrappers import Response

from ballots.ballot_pages import current_signing
from results.chart_cache import cached_chart
from results.models import Result
from results.numbers import format_int, format_percent
from results.pabulib import approval_instance, write_pb
from results.paper import paper_section
from results.presentation import (
    chart_bytes,
    district_label,
    figures,
    length_figures,
    locale_code,
    turnout_figures,
)
from results.services import count_consultation, publish_result, published_result
from results.tally import stream_answers
from voting.core.lifecycle import find_consultation
from voting.core.models import Consultation, Status
from voting.web.auth import EDITORS, role_required
from voting.web.confirm import confirmation_page
from voting.web.db import get_session
from voting.web.forms import ConfirmForm
from voting.web.lookups import consultation_or_404
from voting.web.steps import perform_step

bp = Blueprint("results", __name__)


def _published(slug: str) -> tuple[Consultation, Result]:
    """Return a consultation and its result, or 404 while the result is under embargo."""
    session = get_session()
    consultation = find_consultation(session=session, slug=slug)
    result = published_result(session=session, consultation=consultation) if consultation else None
    if consultation is None or result is None:
        abort(404)
    return consultation, result


def _question(result: Result, key: str) -> dict[str, Any]:
    question = next((q for q in result.data["questions"] if q["key"] == key), None)
    if question is None:
        abort(404)
    return question


def _download(body: bytes | str, mimetype: str, filename: str, inline: bool = False) -> Response:
    response = Response(body, mimetype=mimetype)
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


@bp.get("/consultations/<slug>/results")
def page(slug: str) -> str:
    """Show the published result: turnout, then per question words, chart and table."""
    consultation, result = _published(slug)
    # Charts come as files (<img>): the Content-Security-Policy forbids their inline styles.
    questions = [figures(question) for question in result.data["questions"]]
    turnout = result.data["turnout"]
    return render_template(
        "results/page.html",
        consultation=consultation,
        result=result,
        questions=questions,
        turnout=turnout,
        turnout_chart=bool(turnout.get("by_hour")),
    )


@bp.get("/consultations/<slug>/results/<key>.<any(png, svg):fmt>")
def chart(slug: str, key: str, fmt: str) -> Response:
    """Download one question's chart (PNG at twice the screen resolution)."""
    _consultation, result = _published(slug)
    mimetype = "image/svg+xml" if fmt == "svg" else "image/png"
    question = _question(result, key)
    body = cached_chart(
        (result.id, result.published_at, key, fmt, locale_code()),
        lambda: chart_bytes(figures(question), fmt),
    )
    return _download(body, mimetype, f"{slug}-{key}.{fmt}", inline=True)


@bp.get("/consultations/<slug>/results/<key>/ballot-lengths.<any(png, svg):fmt>")
def ballot_lengths_chart(slug: str, key: str, fmt: str) -> Response:
    """Download the histogram of how many projects each ballot of a budget chose."""
    _consultation, result = _published(slug)
    question = _question(result, key)
    if "explanation" not in question:
        abort(404)
    mimetype = "image/svg+xml" if fmt == "svg" else "image/png"
    body = cached_chart(
        (result.id, result.published_at, key, "ballot-lengths", fmt, locale_code()),
        lambda: chart_bytes(length_figures(question), fmt),
    )
    return _download(body, mimetype, f"{slug}-{key}-ballot-lengths.{fmt}", inline=True)


@bp.get("/consultations/<slug>/turnout.<any(png, svg):fmt>")
def turnout_chart(slug: str, fmt: str) -> Response:
    """Download the chart of turnout over time."""
    consultation, result = _published(slug)
    if not result.data["turnout"].get("by_hour"):
        abort(404)
    mimetype = "image/svg+xml" if fmt == "svg" else "image/png"
    body = cached_chart(
        (result.id, result.published_at, "turnout", fmt, locale_code()),
        lambda: chart_bytes(turnout_figures(consultation, result.data["turnout"]), fmt),
    )
    return _download(body, mimetype, f"{slug}-turnout.{fmt}", inline=True)


@bp.get("/consultations/<slug>/results/<key>.csv")
def table_csv(slug: str, key: str) -> Response:
    """Download one question's table as CSV (";"-separated in German, as spreadsheets expect)."""
    _consultation, result = _published(slug)
    figs = figures(_question(result, key))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if locale_code() == "de" else ",")
    writer.writerow(figs.headers)
    writer.writerows(figs.table)
    # A byte-order mark lets spreadsheet programs read the file as UTF-8.
    return _download("\ufeff" + buffer.getvalue(), "text/csv", f"{slug}-{key}.csv")


@bp.get("/consultations/<slug>/results/<key>.json")
def question_json(slug: str, key: str) -> Response:
    """Download one question's outcome with every detail of the count as JSON."""
    consultation, result = _published(slug)
    body = json.dumps(
        {"consultation": consultation.slug, **_question(result, key)},
        ensure_ascii=False,
        indent=2,
    )
    return _download(body, "application/json", f"{slug}-{key}.json")


@bp.get("/consultations/<slug>/results/<key>.pb")
def pabulib_file(slug: str, key: str) -> Response:
    """Download a participatory budget with every ballot in the Pabulib format."""
    consultation, result = _published(slug)
    question = _question(result, key)
    if question["method"] not in ("pb_greedy", "pb_equal_shares"):
        abort(404)
    details = question["details"]
    instance = approval_instance(
        meta={
            "description": f"{consultation.title}: {question['text']}",
            "country": "Germany",
            "unit": str(current_app.config["CITY_NAME"]),
            "instance": str(consultation.closes_at.year),
            "budget": str(details["budget"]),
            "rule": question["method"],
        },
        projects=[(o["key"], o["label"], details["costs"][o["key"]]) for o in question["options"]],
        ballots=stream_answers(
            session=get_session(), consultation_id=consultation.id, question_key=key
        ),
        funded=details["funded"],
    )
    return _download(write_pb(instance), "text/plain", f"{slug}-{key}.pb")


@bp.get("/embed/<slug>/<key>")
def embed(slug: str, key: str) -> Response:
    """Show one question's chart alone, for other sites to put into a frame."""
    consultation, result = _published(slug)
    figs = figures(_question(result, key))
    # voting.web.security lets any site frame /embed/ pages, and no other page.
    page = render_template("results/embed.html", consultation=consultation, figs=figs)
    return Response(page, mimetype="text/html")


@bp.get("/api/v1/consultations")
def api_consultations() -> Response:
    """List the consultations that are not drafts, with where to find their results."""
    session = get_session()
    items = []
    for consultation in session.exec(
        select(Consultation)
        .where(Consultation.status != Status.DRAFT)
        .order_by(Consultation.opens_at.desc(), Consultation.slug)
    ):
        items.append(
            {
                "slug": consultation.slug,
                "title": consultation.title,
                "kind": consultation.kind,
                "status": consultation.status,
                "opens_at": _utc(consultation.opens_at),
                "closes_at": _utc(consultation.closes_at),
                "results": url_for("results.api_results", slug=consultation.slug, _external=True)
                if consultation.is_published
                else None,
            }
        )
    return jsonify({"consultations": items})


def _utc(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


@bp.get("/api/v1/consultations/<slug>/results")
def api_results(slug: str) -> Response:
    """Return the published result as JSON."""
    consultation, result = _published(slug)
    return jsonify(
        {
            "consultation": consultation.slug,
            "title": consultation.title,
            "published_at": _utc(result.published_at),
            **result.data,
            "paper": paper_section(
                session=get_session(), consultation=consultation, data=result.data
            ),
        }
    )


def _confirm(step: str, endpoint: str) -> Callable[[Consultation, ConfirmForm], str]:
    """Return the renderer of a step's confirmation page, its form posting to ``endpoint``."""

    def page(item: Consultation, form: ConfirmForm) -> str:
        return confirmation_page(item, step, form, target=url_for(endpoint, slug=item.slug))[0]

    return page


@bp.post("/staff/consultations/<slug>/tally")
@role_required(*EDITORS)
def tally(slug: str) -> Response | tuple[str, int]:
    """Count a closed consultation; the result stays under embargo until published."""
    step = partial(
        count_consultation,
        min_district_ballots=int(current_app.config["MIN_DISTRICT_BALLOTS"]),
        signing=current_signing(),
    )
    return perform_step(
        slug,
        step,
        lambda _item: _("The votes were counted."),
        confirm=_confirm("tally", "results.tally"),
        name="tally",
    )


@bp.get("/staff/consultations/<slug>/publish")
@role_required(*EDITORS)
def confirm_publish(slug: str) -> tuple[str, int]:
    """Say what publishing does and that it cannot be withdrawn; ask to confirm it."""
    item = consultation_or_404(slug)
    page = _confirm("publish", "results.publish")
    return page(item, ConfirmForm()), 200


@bp.post("/staff/consultations/<slug>/publish")
@role_required(*EDITORS)
def publish(slug: str) -> Response | tuple[str, int]:
    """Publish a tallied result, approved by a second staff member."""
    return perform_step(
        slug,
        publish_result,
        lambda _item: _("The result is published."),
        confirm=_confirm("publish", "results.publish"),
        name="publish",
    )


@bp.app_template_global("format_int")
def _format_int(n: int) -> str:
    return format_int(n, locale_code())


@bp.app_template_global("district_label")
def _district_label(name: str) -> str:
    return district_label(name)


@bp.app_template_global("format_percent")
def _format_percent(part: int, base: int) -> str:
    return format_percent(part, base, locale_code())
