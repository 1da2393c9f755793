"""Every route is known to the site-wide tests, and every answer carries the security headers."""

import pytest

from tests.conftest import PASSWORD, csrf_token
from tests.sitemap import Site, form_cases, log_in, page_visits, populate, routes, url


@pytest.fixture
def site(app, session) -> Site:
    return populate(app, session)


def test_every_route_is_in_the_site_map(app, site):
    visited = {visit.endpoint for visit in page_visits(site)}
    posted = {case.endpoint for case in form_cases(site)}
    assert routes(app, "GET") - visited == set(), "add the new page to tests/sitemap.py"
    assert routes(app, "POST") - posted == set(), "add the new form to tests/sitemap.py"


def test_every_answer_carries_the_security_headers(app, site):
    clients = {}
    for visit in page_visits(site):
        if visit.role not in clients:
            clients[visit.role] = app.test_client()
            if visit.role:
                log_in(clients[visit.role], visit.role)
        client = clients[visit.role]
        response = client.get(url(app, visit.endpoint, visit.values))
        response.close()
        assert response.status_code == (302 if visit.kind == "redirect" else 200), visit.label
        headers = response.headers
        policy = headers["Content-Security-Policy"]
        assert "'unsafe-inline'" not in policy or visit.kind == "image", visit.label
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert "Strict-Transport-Security" not in headers  # plain HTTP here
        if visit.kind == "html":
            assert "frame-ancestors 'none'" in policy, visit.label
            assert "script-src 'self'" in policy and "style-src 'self'" in policy
        if visit.kind in ("html", "embed"):
            assert response.mimetype == "text/html", visit.label
        if visit.kind == "embed":
            assert "frame-ancestors *" in policy, visit.label


def test_over_https_browsers_are_told_to_stay_and_cookies_are_secure(client):
    response = client.get("/language/en?next=/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_over_plain_http_the_session_cookie_is_httponly_and_lax(client):
    cookie = client.get("/language/en?next=/").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_only_embed_pages_may_be_framed_by_other_sites(client):
    page = client.get("/")
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    embed = client.get("/embed/anything")
    assert "frame-ancestors *" in embed.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in embed.headers


def test_answers_to_forms_and_staff_pages_are_not_cached(client, auth):
    response = client.post("/staff/login", data={"username": "x"})
    assert response.status_code == 400
    assert response.headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    auth.login()
    assert client.get("/staff/").headers["Cache-Control"] == "no-store"


def test_over_https_forms_work_without_a_referer(client, auth):
    # Under Referrer-Policy: no-referrer browsers send none; a form must still go through.
    auth.create()
    https = "https://localhost"
    page = client.get("/staff/login", base_url=https).get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    data = {"csrf_token": token, "username": "redaktion", "password": PASSWORD}
    response = client.post("/staff/login", data=data, base_url=https)
    assert response.status_code == 302
    assert client.get("/staff/", base_url=https).status_code == 200  # logged in


def test_a_nul_character_in_a_form_is_refused_in_the_visitors_language(client, auth):
    # PostgreSQL cannot even compare text with NUL; the answer must be a 400, never a 500.
    auth.create()
    data = {"csrf_token": csrf_token(client, "/staff/login"), "password": PASSWORD}
    for username in ("\x00", "redak\x00tion"):
        response = client.post("/staff/login", data={**data, "username": username})
        assert response.status_code == 400
        assert "Steuerzeichen" in response.get_data(as_text=True)
    response = client.get("/consultations", query_string={"q\x00": "x"})
    assert response.status_code == 400
    # Nothing was locked or spent: the same form logs in.
    response = client.post("/staff/login", data={**data, "username": "redaktion"})
    assert response.status_code == 302
