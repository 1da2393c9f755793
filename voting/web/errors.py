"""Error pages in the visitor's language; never a bare stack trace."""

from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

API_PREFIX = "/api/"


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood. Please go back and try again."),
        403: _("You are not allowed to see this page."),
        404: _("This page does not exist."),
        405: _("This address does not accept that kind of request."),
        409: _("The request conflicts with the current state."),
        413: _("The upload is too large."),
        429: _("Too many attempts. Please wait a moment and try again."),
        500: _("Something went wrong on our side. Nothing you entered was changed."),
    }


def render_error(code: int, message: str | None = None) -> tuple[Any, int]:
    """Render the error page for an HTTP status; JSON for the API."""
    text = message or _messages().get(code, _messages()[400 if code < 500 else 500])
    if request.path.startswith(API_PREFIX):
        return jsonify({"error": {"status": code, "message": text}}), code
    return render_template("errors.html", code=code, message=text), code


def register(app: Flask) -> None:
    """Install the error handlers."""

    @app.errorhandler(CSRFError)
    def _csrf(_error: CSRFError) -> tuple[Any, int]:
        return render_error(
            400,
            _(
                "The form has expired or was not sent from this site. Please reload it and "
                "submit again."
            ),
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[Any, int]:
        return render_error(error.code or 500)
