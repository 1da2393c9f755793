"""Behind a reverse proxy the app sees the resident's address and HTTPS, and only if told so."""

from flask import request

from voting.app import create_app

FORWARDED = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}


def client_seen(trusted_proxies: int) -> str:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "PSEUDONYM_KEY": "test-pseudonym-key",
            "DATABASE_URL": "sqlite://",
            "TRUSTED_PROXIES": trusted_proxies,
        }
    )

    # What the rate limiter, the log and secure cookies go by.
    @app.get("/_client")
    def client() -> str:
        return f"{request.remote_addr} {request.scheme}"

    return app.test_client().get("/_client", headers=FORWARDED).get_data(as_text=True)


def test_a_trusted_proxy_passes_on_the_client_address_and_scheme():
    assert client_seen(1) == "203.0.113.7 https"


def test_without_a_trusted_proxy_forwarded_headers_are_ignored():
    assert client_seen(0) == "127.0.0.1 http"
