"""Every form refuses a submission without its token, and one with a token of another visitor."""

import pytest

from tests.conftest import csrf_token
from tests.sitemap import Site, form_cases, log_in, populate, settle, snapshot, url
from tests.sitemap_forms import form_data

EXPIRED = "Das Formular ist abgelaufen"


@pytest.fixture
def site(app, session) -> Site:
    return populate(app, session)


def test_every_form_is_replayed_without_and_with_a_stranger_s_token(app, session, site):
    stranger = csrf_token(app.test_client(), "/staff/login")
    clients = {role: app.test_client() for role in {case.role for case in form_cases(site)}}
    for role, client in clients.items():
        if role:
            log_in(client, role)
    refused = []
    for case in form_cases(site):
        if not case.csrf:
            continue
        client = clients[case.role]
        path = url(app, case.endpoint, case.values)
        before = snapshot(session)
        for token in (None, stranger, "forged." + stranger[::-1]):
            data = form_data(case) if token is None else {**form_data(case), "csrf_token": token}
            response = client.post(path, data=data)
            if response.status_code != 400 or EXPIRED not in response.get_data(as_text=True):
                refused.append(f"{case.label} with token {token!r}: {response.status_code}")
        if snapshot(session) != before:
            refused.append(f"{case.label}: stored data changed")
    assert refused == []

    # With its own token every one goes through: the token was all that was missing.
    before = snapshot(session)
    for case in form_cases(site):  # logging out comes last
        client = clients[case.role]
        path = url(app, case.endpoint, case.values)
        if case.csrf:
            data = {**form_data(case), "csrf_token": csrf_token(client, "/staff/login")}
            response = client.post(path, data=data)
        else:
            response = client.post(path, json=case.fields)
        settle(app, response)
        assert response.status_code in (200, 302), case.label
        assert EXPIRED not in response.get_data(as_text=True), case.label
    assert snapshot(session) != before
