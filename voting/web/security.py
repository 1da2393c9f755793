"""Security headers on every response and session cookies that follow the scheme."""

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from voting.web.errors import render_error

# Only files from this site: no inline script or style, no plugins, no foreign forms.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors {ancestors}"
)
# A chart opened on its own: matplotlib writes style attributes, nothing may run.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
EMBED_PREFIX = "/embed/"
HSTS = "max-age=63072000; includeSubDomains"


class SchemeAwareSessionInterface(SecureCookieSessionInterface):
    """Mark the session cookie Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        """Return True if configured so, or if this request is served over HTTPS."""
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def is_local_path(target: str | None) -> bool:
    """Return whether ``target`` is a path on this site, safe to redirect to.

    Browsers read a backslash as a slash, so "/\\evil.example" would leave the site
    like "//evil.example"; control characters are refused for the same reason.
    """
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    if any(ord(char) < 32 or char == "\\" for char in target):
        return False
    parts = urlsplit(target)
    return not (parts.scheme or parts.netloc)


def is_embeddable(path: str) -> bool:
    """Return whether other sites may show ``path`` in a frame."""
    return path.startswith(EMBED_PREFIX)


def add_security_headers(response: Response) -> Response:
    """Set the security headers of one response."""
    headers = response.headers
    embeddable = is_embeddable(request.path)
    if response.mimetype == "image/svg+xml":
        headers["Content-Security-Policy"] = SVG_POLICY
    else:
        ancestors = "*" if embeddable else "'none'"
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.format(ancestors=ancestors)
    if not embeddable:
        headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    # Everywhere, not only on the ballot: no address of ours ever travels to another site.
    headers["Referrer-Policy"] = "no-referrer"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
    if request.is_secure:
        headers["Strict-Transport-Security"] = HSTS
    private = request.method not in ("GET", "HEAD") or "_user_id" in session
    if private and "Cache-Control" not in headers:
        # Answers to forms (ballot, login) and staff pages must not stay in a shared
        # computer's cache, where the next person could call them up again.
        headers["Cache-Control"] = "no-store"
    return response


def refuse_nul_bytes() -> tuple[Any, int] | None:
    """Refuse a form or query with a NUL character before any of it reaches the database.

    No text of ours can contain one, and PostgreSQL cannot even compare with it.
    """
    fields = [*request.args.items(multi=True), *request.form.items(multi=True)]
    if any("\x00" in name or "\x00" in value for name, value in fields):
        return render_error(
            400,
            _("The entry contains a control character that is not allowed. Please type it again."),
        )
    return None


def init_app(app: Flask) -> None:
    """Install the headers, the session cookie rule and the NUL check (ProxyFix is create_app's)."""
    app.session_interface = SchemeAwareSessionInterface()
    app.before_request(refuse_nul_bytes)
    app.after_request(add_security_headers)
