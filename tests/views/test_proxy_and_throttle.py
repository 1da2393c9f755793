"""Behind a reverse proxy (TRUSTED_PROXIES) and under attack: HTTPS is seen, guessing is slowed."""

import pytest

from tests.conftest import PASSWORD, csrf_token


@pytest.fixture
def app_config():
    return {"TRUSTED_PROXIES": 1, "LOGIN_RATE_LIMIT": "3 per minute"}


def test_behind_a_proxy_https_is_recognised(client):
    response = client.get(
        "/language/de?next=/", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "1.2.3.4"}
    )
    assert "Strict-Transport-Security" in response.headers
    assert "Secure" in response.headers["Set-Cookie"]


def login(client, password: str, address: str):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/staff/login")
    return client.post(
        "/staff/login",
        data={"csrf_token": token, "username": "redaktion", "password": password},
        headers={"X-Forwarded-For": address},
    )


def test_login_attempts_are_throttled_per_client(client, app, auth):
    auth.create()
    for _ in range(3):
        assert login(client, "falsch falsch falsch", "198.51.100.7").status_code == 401
    # Even the right password is refused now, so guessing gains nothing.
    refused = login(client, PASSWORD, "198.51.100.7")
    assert refused.status_code == 429
    assert "Zu viele Versuche" in refused.get_data(as_text=True)
    # The form itself still shows, and another client is not affected.
    assert client.get("/staff/login").status_code == 200
    other = app.test_client()
    assert login(other, PASSWORD, "198.51.100.8").status_code == 302
