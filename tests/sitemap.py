"""Every route of the app and how to reach it with data: the list the site-wide tests walk.

The header, CSRF, fuzzing, language and accessibility tests all read these lists,
and each fails for a route of ``app.url_map`` that is missing here. A new page or
form is covered by adding one entry to ``page_visits`` or ``form_cases``.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlmodel import Session, SQLModel

from results.services import publish_result, tally_consultation
from tests.conftest import KNOWN_METHODS, PASSWORD, csrf_token, make_open_consultation, spec_data
from voting.models import Role
from voting.services.accounts import create_staff_user
from voting.services.consultations import (
    find_consultation,
    load_consultation,
    parse_spec,
    transition,
)

# Every stored state a consultation page can show, by slug.
OPEN, PUBLISHED, TALLIED, CLOSED, SCHEDULED, DRAFT = (
    "stadtpark",
    "ergebnis",
    "ausgezaehlt",
    "geschlossen",
    "angekuendigt",
    "entwurf",
)
STAFF = {"admin": Role.ADMIN, "editor": Role.EDITOR, "auditor": Role.AUDITOR}
# Answers of the ballots cast in the published consultation: every chart has bars.
BALLOTS = (
    {"q_brunnen": "yes", "q_nutzung": "garten", "q_projekte": ["baeume", "licht"]},
    {"q_brunnen": "no", "q_nutzung": "spielplatz", "q_projekte": ["baenke"]},
    {"q_brunnen": "yes", "q_nutzung": "garten"},
)


@dataclass
class Site:
    """The data ``populate`` stored: slugs by state, the unused codes of the open one."""

    codes: list[str]
    slugs: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Visit:
    """One GET request a visitor makes: endpoint, URL values, who, what comes back."""

    endpoint: str
    values: dict[str, Any] = field(default_factory=dict)
    role: str | None = None
    kind: str = "html"  # html | json | image | file | redirect
    name: str = ""

    @property
    def label(self) -> str:
        """Return a short name for reports."""
        who = f" as {self.role}" if self.role else ""
        return f"{self.endpoint}{' ' + self.name if self.name else ''}{who}"


@dataclass(frozen=True)
class FormCase:
    """One form: where it posts, who may send it, the fields of a valid submission."""

    endpoint: str
    values: dict[str, Any]
    fields: dict[str, Any]
    role: str | None = None
    # Fields the fuzzer fills with junk; a form of buttons only gets junk tokens.
    fuzzed: tuple[str, ...] = ()
    name: str = ""

    @property
    def label(self) -> str:
        """Return a short name for reports."""
        extra = self.name or self.values.get("action", "")
        return f"{self.endpoint}{' ' + extra if extra else ''}"


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
        Visit("staff.login"),
        Visit("staff.dashboard", role="editor"),
        Visit("staff.dashboard", role="auditor"),
        *(
            Visit("staff.consultation", {"slug": slugs[s]}, role="editor", name=s)
            for s in [*public, DRAFT]
        ),
        Visit("static", {"filename": "style.css"}, kind="file"),
    ]


def form_cases(site: Site) -> list[FormCase]:
    """Return every form with a valid submission, in an order in which all of them succeed."""
    slugs = site.slugs
    ballot = {"code": site.codes[-1], "q_brunnen": "yes", "q_nutzung": "garten"}
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
            {"username": "editor", "password": PASSWORD},
            fuzzed=("username", "password"),
        ),
        FormCase("staff.step", {"slug": slugs[DRAFT], "action": "schedule"}, {}, "editor"),
        FormCase("staff.step", {"slug": slugs[SCHEDULED], "action": "open"}, {}, "editor"),
        FormCase("results.publish", {"slug": slugs[TALLIED]}, {}, "editor"),
        FormCase("results.tally", {"slug": slugs[CLOSED]}, {}, "editor"),
        FormCase("staff.step", {"slug": slugs[OPEN], "action": "close"}, {}, "editor"),
        FormCase("staff.logout", {}, {}, "editor"),
    ]


def routes(app: Flask, method: str) -> set[str]:
    """Return the endpoints of ``app`` that answer ``method``."""
    return {rule.endpoint for rule in app.url_map.iter_rules() if method in (rule.methods or ())}


def url(app: Flask, endpoint: str, values: dict[str, Any]) -> str:
    """Return the path of an endpoint (extra values become the query string)."""
    adapter = app.url_map.bind("localhost")
    return adapter.build(endpoint, values)


def log_in(client: FlaskClient, role: str) -> None:
    """Log the client in as the staff member of ``role``."""
    response = client.post(
        "/staff/login",
        data={
            "csrf_token": csrf_token(client, "/staff/login"),
            "username": role,
            "password": PASSWORD,
        },
    )
    assert response.status_code == 302, response.status_code


def cast(client: FlaskClient, slug: str, code: str, answers: dict[str, Any]) -> None:
    """Vote through the form, as a resident does."""
    path = f"/consultations/{slug}/vote"
    data = {"csrf_token": csrf_token(client, path), "code": code, **answers}
    response = client.post(path, data=data)
    assert response.status_code == 200, response.get_data(as_text=True)


def populate(app: Flask, session: Session) -> Site:
    """Store a consultation in every state, three ballots in a published result, staff."""
    for username, role in STAFF.items():
        create_staff_user(
            session=session, username=username, password=PASSWORD, role=role, actor="test"
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
        made = make_open_consultation(session, slug=slug, title=titles[slug])
        if slug == OPEN:
            open_codes = made.codes
        if slug == PUBLISHED:
            published_codes = made.codes
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
        transition(session=session, consultation=consultation, action="close", actor="test")
        if steps > 1:
            tally_consultation(session=session, consultation=consultation, actor="test")
        if steps > 2:
            publish_result(session=session, consultation=consultation, actor="second-reader")
        session.commit()
    return Site(codes=open_codes, slugs={s: s for s in titles})


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
