"""Every staff route, with every role and without login: who gets in is exactly as listed."""

import re

import pytest
from flask import Flask
from werkzeug.routing.converters import AnyConverter

from tests.conftest import csrf_token
from tests.jobs import run_queued_jobs
from voting.core.models import Job, Role

ALL = frozenset({"admin", "editor", "auditor"})
EDITORS = frozenset({"admin", "editor"})
AUDITORS = frozenset({"admin", "auditor"})
ADMINS = frozenset({"admin"})
PUBLIC = None

# Who may use each staff endpoint. A new staff route must be added here, or the
# walk below fails: nobody adds a route without saying who may use it.
EXPECTED_ROLES = {
    "staff.login": PUBLIC,
    "staff.logout": ALL,
    "staff.dashboard": ALL,
    "staff.consultation": ALL,
    "staff.step": EDITORS,
    "staff.confirm_step": EDITORS,
    "staff.request_close": EDITORS,
    "staff.tally_job": EDITORS,
    "staff.confirm_tally": EDITORS,
    "staff.job": ALL,
    "staff.job_letters": EDITORS,
    "results.tally": EDITORS,
    "results.publish": EDITORS,
    "results.confirm_publish": EDITORS,
    "editor.create": EDITORS,
    "editor.show": ALL,
    "editor.edit": EDITORS,
    "electorate.show": ALL,
    "electorate.preview": EDITORS,
    "electorate.start_import": EDITORS,
    "electorate.delete": EDITORS,
    "electorate.confirm_delete": EDITORS,
    "audit.index": AUDITORS,
    "audit.export": AUDITORS,
    "accounts.index": ADMINS,
    "accounts.create": ADMINS,
    "accounts.update": ADMINS,
    "residents.issue_code": EDITORS,
    "proposals.staff_index": ALL,
    "proposals.staff_detail": ALL,
    "proposals.moderate": EDITORS,
    "proposals.to_option": EDITORS,
    "plans.staff_index": ALL,
    "plans.new": EDITORS,
    "plans.edit": EDITORS,
    "paper.overview": ALL,
    "paper.mark": EDITORS,
    "paper.count": EDITORS,
    "paper.discard": EDITORS,
    "paper_ballots.overview": ALL,
    "paper_ballots.key": EDITORS,
    "paper_ballots.settle_form": EDITORS,
    "paper_ballots.settle": EDITORS,
}


def staff_requests(app: Flask, job_id: int) -> list[tuple[str, str, str]]:
    """Return (endpoint, method, url) for every staff rule, each any() value spelled out."""
    samples = {
        "slug": ["stadtpark"],
        "job_id": [str(job_id)],
        "user_id": ["1"],
        "proposal_id": ["1"],
        "project_id": ["1"],
        "question_key": ["brunnen"],
        "count_id": ["1"],
        "sheet": ["1"],
    }
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/staff"):
            continue
        urls = [rule.rule]
        for name, converter in rule._converters.items():
            values = (
                sorted(converter.items) if isinstance(converter, AnyConverter) else samples[name]
            )
            placeholder = re.compile(rf"<[^<>]*\b{name}>")
            urls = [placeholder.sub(value, url) for url in urls for value in values]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found += [(rule.endpoint, method, url) for url in urls]
    # Logging out last, so the walk goes on logged in.
    return sorted(found, key=lambda item: item[0] == "staff.logout")


def test_every_staff_route_is_in_the_table(app):
    endpoints = {endpoint for endpoint, _m, _u in staff_requests(app, 1)}
    assert endpoints - EXPECTED_ROLES.keys() == set(), "add new staff routes to EXPECTED_ROLES"
    assert EXPECTED_ROLES.keys() - endpoints == set()


@pytest.mark.parametrize("role", [None, "admin", "editor", "auditor"])
def test_who_gets_in(app, client, session, auth, open_consultation, role):
    job = Job(kind="import", actor="test", consultation_id=open_consultation.id, status="done")
    session.add(job)
    session.commit()
    if role:
        auth.login(f"user-{role}", Role(role))
    token = csrf_token(client, "/staff/login")
    walked = 0
    for endpoint, method, url in staff_requests(app, job.id):
        allowed = EXPECTED_ROLES[endpoint]
        response = client.open(url, method=method, data={"csrf_token": token})
        to_login = response.status_code == 302 and response.headers["Location"].startswith(
            "/staff/login"
        )
        assert response.status_code < 500, (endpoint, method, url)
        if allowed is PUBLIC:
            assert response.status_code in (200, 302, 400, 401), (endpoint, url)
        elif role is None:
            assert to_login, (endpoint, method, url, response.status_code)
        elif role in allowed:
            assert response.status_code != 403 and not to_login, (endpoint, method, url)
        else:
            assert response.status_code == 403, (endpoint, method, url, response.status_code)
        walked += 1
    assert walked >= len(EXPECTED_ROLES)
    run_queued_jobs(app)  # a count the walk started ends before cleanup
