"""Every route of the app and how to reach it with data: the list the site-wide tests walk.

The header, CSRF, fuzzing, language and accessibility tests all read these lists,
and each fails for a route of ``app.url_map`` that is missing here. A new page or
form is covered by adding one entry to ``page_visits`` or ``form_cases``.
"""

import json
import re
from collections.abc import Iterator
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlmodel import Session, SQLModel

from ballots.signed_steps import Signing
from results.services import publish_result, tally_consultation
from tests.conftest import (
    KNOWN_METHODS,
    PASSWORD,
    PSEUDONYM_KEY,
    SIGNER,
    close_voting,
    csrf_token,
    make_open_consultation,
    second_reader,
    spec_data,
)
from tests.jobs import run_queued_jobs
from tests.sitemap_data import (
    CLOSED,
    DRAFT,
    OPEN,
    PUBLISHED,
    RESIDENTS,
    SCHEDULED,
    TALLIED,
    USERNAMES,
    FormCase,
    Site,
    Visit,
    populate_more,
)
from tests.sitemap_forms import resident_forms, staff_forms
from voting.consultations.services import load_consultation, parse_spec
from voting.core.lifecycle import find_consultation, transition
from voting.core.models import Role, utcnow
from voting.demo.showcase import DEFINITION as SHOWCASE_DEFINITION
from voting.demo.showcase import Staff, load_showcase
from voting.staff.services import create_staff_user

# The ticked box of a step that cannot be undone.
UNDERSTOOD = {"understood": "y"}
# The published demo of every method (voting.demo.showcase).
SHOWCASE = json.loads(SHOWCASE_DEFINITION.read_text(encoding="utf-8"))["slug"]
STAFF = {"admin": Role.ADMIN, "editor": Role.EDITOR, "auditor": Role.AUDITOR}
# Answers of the ballots cast in the published consultation: every chart has bars.
BALLOTS = (
    {"q_brunnen": "yes", "q_nutzung": "garten", "q_projekte": ["baeume", "licht"], "q_budget": "a"},
    {"q_brunnen": "no", "q_nutzung": "spielplatz", "q_projekte": ["baenke"], "q_budget": ["b"]},
    {"q_brunnen": "yes", "q_nutzung": "garten", "q_budget": ["a", "b"]},
)
# The published consultation also has a participatory budget, for its Pabulib download and
# the explanation of equal shares with its chart of ballot lengths.
BUDGET = {
    "key": "budget",
    "text": "Welche Vorhaben sollen aus 100.000 € bezahlt werden?",
    "method": "pb_equal_shares",
    "params": {"budget": 100_000, "costs": {"a": 60_000, "b": 30_000, "c": 50_000}},
    "options": [
        {"key": "a", "label": "Wasserspielplatz"},
        {"key": "b", "label": "Trinkbrunnen"},
        {"key": "c", "label": "Sonnensegel"},
    ],
}


def page_visits(site: Site) -> list[Visit]:
    """Return every page, file and API answer to visit, each state of each page once."""
    slugs = site.slugs
    public = [OPEN, PUBLISHED, TALLIED, CLOSED, SCHEDULED]
    return [
        Visit("consultations.index"),
        *(Visit("consultations.detail", {"slug": slugs[s]}, name=s) for s in public),
        Visit("consultations.set_language", {"code": "en", "next": "/"}, kind="redirect"),
        Visit("ballots.vote", {"slug": slugs[OPEN]}, name="open"),
        Visit("ballots.vote", {"slug": slugs[CLOSED]}, name="closed"),
        Visit("ballots.keys", kind="json"),
        Visit("results.page", {"slug": slugs[PUBLISHED]}),
        *(
            Visit("results.chart", {"slug": slugs[PUBLISHED], "key": key, "fmt": fmt}, kind="image")
            for key, fmt in (("nutzung", "svg"), ("brunnen", "png"))
        ),
        Visit("results.api_results", {"slug": slugs[PUBLISHED]}, kind="json"),
        Visit("pages.accessibility"),
        Visit("pages.voting_help"),
        Visit("staff.login"),
        Visit("staff.dashboard", role="editor"),
        Visit("staff.dashboard", role="auditor"),
        *(
            Visit("staff.consultation", {"slug": slugs[s]}, role="editor", name=s)
            for s in [*public, DRAFT]
        ),
        Visit("static", {"filename": "style.css"}, kind="file"),
        *result_visits(site),
        *showcase_visits(),
        *staff_visits(site),
        *resident_visits(site),
    ]


def result_visits(site: Site) -> list[Visit]:
    """Return the published result's downloads, API answers and the verification page."""
    slug = site.slugs[PUBLISHED]
    return [
        Visit("ballots.verify"),
        Visit("ballot_api.log", {"slug": slug}, kind="json"),
        Visit("ballot_api.proof", {"slug": slug, "leaf_index": 0, "tree_size": 3}, kind="json"),
        Visit("bundle.bundle", {"slug": slug}, kind="json"),
        Visit("results.api_consultations", kind="json"),
        Visit("results.question_json", {"slug": slug, "key": "nutzung"}, kind="json"),
        Visit("results.table_csv", {"slug": slug, "key": "nutzung"}, kind="file"),
        Visit("results.pabulib_file", {"slug": slug, "key": "budget"}, kind="file"),
        Visit("results.turnout_chart", {"slug": slug, "fmt": "svg"}, kind="image"),
        Visit(
            "results.ballot_lengths_chart",
            {"slug": slug, "key": "budget", "fmt": "png"},
            kind="image",
        ),
        Visit("results.embed", {"slug": slug, "key": "nutzung"}, kind="embed"),
    ]


def showcase_visits() -> list[Visit]:
    """Return every method × channel page of the published demo: page, charts, downloads."""
    slug = SHOWCASE
    questions = json.loads(SHOWCASE_DEFINITION.read_text(encoding="utf-8"))["questions"]
    visits = [Visit("results.page", {"slug": slug}, name="every method")]
    for question in questions:
        key, method = question["key"], question["method"]
        values = {"slug": slug, "key": key}
        visits += [
            Visit("results.chart", {**values, "fmt": "svg"}, kind="image", name=method),
            Visit("results.chart", {**values, "fmt": "png"}, kind="image", name=method),
            Visit("results.table_csv", values, kind="file", name=method),
            Visit("results.question_json", values, kind="json", name=method),
            Visit("results.embed", values, kind="embed", name=method),
        ]
        if method in ("pb_greedy", "pb_equal_shares"):
            visits.append(Visit("results.pabulib_file", values, kind="file", name=method))
    return [*visits, Visit("bundle.bundle", {"slug": slug}, kind="json", name="every method")]


def staff_visits(site: Site) -> list[Visit]:
    """Return the staff pages beyond the dashboard: editor, electorate, paper, plans, audit."""
    slugs, extra = site.slugs, site.extra
    return [
        Visit("editor.create", role="editor"),
        Visit("editor.show", {"slug": slugs[DRAFT]}, role="editor"),
        Visit("electorate.show", {"slug": slugs[DRAFT]}, role="editor"),
        Visit("paper.overview", {"slug": slugs[CLOSED]}, role="editor"),
        Visit("paper_ballots.overview", {"slug": slugs[CLOSED]}, role="editor"),
        Visit(
            "paper_ballots.settle_form",
            {"slug": slugs[CLOSED], "sheet": extra.disputed_sheet},
            role="editor",
        ),
        Visit("staff.job", {"job_id": extra.job}, role="editor"),
        # The pages that ask before a step that cannot be undone.
        Visit("staff.confirm_step", {"slug": slugs[SCHEDULED], "action": "open"}, role="editor"),
        Visit("staff.confirm_step", {"slug": slugs[OPEN], "action": "close"}, role="editor"),
        Visit("staff.confirm_tally", {"slug": slugs[CLOSED]}, role="editor"),
        Visit("results.confirm_publish", {"slug": slugs[TALLIED]}, role="editor"),
        Visit("electorate.confirm_delete", {"slug": slugs[OPEN]}, role="editor"),
        Visit("residents.issue_code", role="editor"),
        Visit("proposals.staff_index", role="editor"),
        Visit("proposals.staff_detail", {"proposal_id": extra.submitted_proposal}, role="editor"),
        Visit("plans.staff_index", role="editor"),
        Visit("plans.new", role="editor"),
        Visit("plans.edit", {"project_id": extra.project}, role="editor"),
        Visit("audit.index", role="auditor"),
        *(Visit("audit.export", {"fmt": f}, role="auditor", kind="file") for f in ("csv", "json")),
        Visit("accounts.index", role="admin"),
    ]


def resident_visits(site: Site) -> list[Visit]:
    """Return the residents' pages: account, proposals, planned projects, voting by account."""
    extra = site.extra
    token = {"token": extra.confirm_token}
    return [
        Visit("residents.register"),
        Visit("residents.registered"),
        Visit("residents.login"),
        Visit("residents.confirm", token, kind="redirect"),
        Visit("proposals.index"),
        Visit("proposals.detail", {"proposal_id": extra.published_proposal}),
        Visit("plans.index"),
        Visit("plans.detail", {"project_id": extra.project}),
        Visit("residents.account", role="resident"),
        Visit("residents.verify", role="newcomer"),
        Visit("resident_vote.vote", {"slug": site.slugs[OPEN]}, role="resident"),
        Visit("proposals.mine", role="resident"),
        Visit("proposals.new", role="resident"),
        Visit("proposals.edit", {"proposal_id": extra.revisable_proposal}, role="resident"),
    ]


def form_cases(site: Site) -> list[FormCase]:
    """Return every form with a valid submission, in an order in which all of them succeed."""
    slugs = site.slugs
    ballot = {"code": site.codes[-1], "q_brunnen": "yes", "q_nutzung": "garten"}
    extra = site.extra
    return [
        FormCase(
            "ballots.vote",
            {"slug": slugs[OPEN]},
            ballot,
            fuzzed=("code", "q_brunnen", "q_nutzung", "q_projekte"),
        ),
        FormCase(
            "staff.login",
            {},
            {"username": USERNAMES["editor"], "password": PASSWORD},
            fuzzed=("username", "password"),
        ),
        FormCase(
            "ballots.verify",
            {},
            {"tracking_code": extra.tracking_code},
            fuzzed=("tracking_code", "receipt"),
        ),
        FormCase(
            "ballot_api.verify_receipt",
            {},
            {"tracking_code": extra.tracking_code},
            fuzzed=("tracking_code",),
            csrf=False,
        ),
        *resident_forms(site),
        *staff_forms(site),
        FormCase("staff.step", {"slug": slugs[DRAFT], "action": "schedule"}, {}, "editor"),
        FormCase("staff.step", {"slug": slugs[SCHEDULED], "action": "open"}, UNDERSTOOD, "editor"),
        FormCase("results.publish", {"slug": slugs[TALLIED]}, UNDERSTOOD, "editor"),
        FormCase("results.tally", {"slug": slugs[CLOSED]}, UNDERSTOOD, "editor"),
        # Voting closes before the scheduled end: one asks with a reason, another confirms.
        FormCase(
            "staff.request_close",
            {"slug": slugs[OPEN]},
            {"reason": "Der Stadtrat hat die Frage entschieden.", **UNDERSTOOD},
            "admin",
            fuzzed=("reason",),
        ),
        FormCase("staff.step", {"slug": slugs[OPEN], "action": "close"}, UNDERSTOOD, "editor"),
        # Counts the just closed consultation in the background (the test waits for it).
        FormCase("staff.tally_job", {"slug": slugs[OPEN]}, UNDERSTOOD, "editor"),
        FormCase("residents.logout", {}, {}, "resident"),
        FormCase("staff.logout", {}, {}, "editor"),
    ]


def settle(app: Flask, response: Any) -> None:
    """Run the job a form started, as the job worker would, so the test sees its outcome."""
    found = re.search(r"/staff/jobs/(\d+)$", response.headers.get("Location", ""))
    if response.status_code == 302 and found:
        run_queued_jobs(app)


def routes(app: Flask, method: str) -> set[str]:
    """Return the endpoints of ``app`` that answer ``method``."""
    return {rule.endpoint for rule in app.url_map.iter_rules() if method in (rule.methods or ())}


def url(app: Flask, endpoint: str, values: dict[str, Any]) -> str:
    """Return the path of an endpoint (extra values become the query string)."""
    adapter = app.url_map.bind("localhost")
    return adapter.build(endpoint, values)


def log_in(client: FlaskClient, role: str) -> None:
    """Log the client in as the staff member or resident of ``role``."""
    if role in RESIDENTS:
        path, data = "/residents/login", {"email": RESIDENTS[role]}
    else:
        path, data = "/staff/login", {"username": USERNAMES[role]}
    data |= {"csrf_token": csrf_token(client, path), "password": PASSWORD}
    response = client.post(path, data=data)
    assert response.status_code == 302, response.status_code


def cast(client: FlaskClient, slug: str, code: str, answers: dict[str, Any]) -> None:
    """Vote through the form, as a resident does."""
    path = f"/consultations/{slug}/vote"
    data = {"csrf_token": csrf_token(client, path), "code": code, **answers}
    response = client.post(path, data=data)
    assert response.status_code == 200, response.get_data(as_text=True)


def populate(app: Flask, session: Session) -> Site:
    """Store a consultation in every state, ballots in a published result, staff, residents."""
    for name, role in STAFF.items():
        create_staff_user(
            session=session, username=USERNAMES[name], password=PASSWORD, role=role, actor="test"
        )
    titles = {
        OPEN: "Zukunft des Stadtparks",
        PUBLISHED: "Neugestaltung des Marktplatzes",
        TALLIED: "Radweg an der Lauter",
        CLOSED: "Öffnungszeiten der Bibliothek",
        SCHEDULED: "Name der neuen Schule",
        DRAFT: "Entwurf: Spielplatz Betzenberg",
    }
    open_codes: list[str] = []
    published_codes: list[str] = []
    for slug in (OPEN, PUBLISHED, TALLIED, CLOSED):
        questions = [*spec_data()["questions"], BUDGET] if slug == PUBLISHED else None
        more = {"questions": questions} if questions else {}
        made = make_open_consultation(session, slug=slug, title=titles[slug], **more)
        if slug == OPEN:
            open_codes = made.codes
        if slug == PUBLISHED:
            published_codes = made.codes
        if slug == CLOSED:
            paper_codes = made.codes[:2]
    for slug in (SCHEDULED, DRAFT):
        spec = parse_spec(spec_data(slug, title=titles[slug]), known_methods=KNOWN_METHODS)
        load_consultation(session=session, spec=spec, actor="test")
    transition(
        session=session,
        consultation=find_consultation(session=session, slug=SCHEDULED),
        action="schedule",
        actor="test",
    )
    session.commit()

    client = app.test_client()
    for code, answers in zip(published_codes, BALLOTS, strict=False):
        cast(client, PUBLISHED, code, answers)
    for slug, steps in ((PUBLISHED, 3), (TALLIED, 2), (CLOSED, 1)):
        session.expire_all()
        consultation = find_consultation(session=session, slug=slug)
        close_voting(session, consultation, "test")
        if steps > 2:
            second_reader(session)
        if steps > 1:
            tally_consultation(session=session, consultation=consultation, actor="test")
        if steps > 2:
            publish_result(session=session, consultation=consultation, actor="second-reader")
        session.commit()
    extra = populate_more(
        app, session, published=PUBLISHED, draft=DRAFT, closed=(CLOSED, paper_codes)
    )
    # The published demo: a question of every method, voted online and on paper.
    load_showcase(
        session=session,
        pseudonym_key=PSEUDONYM_KEY,
        signing=Signing(SIGNER, 10),
        staff=Staff(USERNAMES["editor"], USERNAMES["admin"]),
        now=utcnow,
    )
    session.commit()
    return Site(codes=open_codes, slugs={s: s for s in titles}, extra=extra)


def snapshot(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Return every stored row of every table, to prove that nothing changed."""
    session.expire_all()
    rows = {}
    for table in SQLModel.metadata.sorted_tables:
        result = session.execute(select(table)).all()
        rows[table.name] = sorted(tuple(map(repr, row)) for row in result)
    session.rollback()
    return rows


def html_visits(site: Site) -> Iterator[Visit]:
    """Yield the visits that show an HTML page."""
    return (visit for visit in page_visits(site) if visit.kind == "html")


def browser_visits(site: Site) -> Iterator[Visit]:
    """Yield the visits that show a page in the browser: HTML pages and embeddable charts."""
    return (visit for visit in page_visits(site) if visit.kind in ("html", "embed"))
