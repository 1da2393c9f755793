"""The app's engine and the session each request opens on first use."""

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import Engine
from sqlmodel import Session

from voting.core.db import begin_write, make_engine

EXTENSION_KEY = "buergervotum.engine"


def init_app(app: Flask) -> None:
    """Create the engine from DATABASE_URL and close sessions after each request."""
    app.extensions[EXTENSION_KEY] = make_engine(app.config["DATABASE_URL"])
    app.teardown_appcontext(close_session)


def get_engine() -> Engine:
    """Return the current app's engine."""
    return current_app.extensions[EXTENSION_KEY]


def get_session(*, writer: bool | None = None) -> Session:
    """Return the request's session, opening it on first use.

    A request that may write (anything but GET and HEAD) starts as a writer, unless the
    first call says ``writer=False``: a view that reads first and then begins its own short
    write transaction (see ballots.views.vote).
    """
    if "db_session" not in g:
        g.db_session = Session(get_engine(), expire_on_commit=False)
        if writer is None:
            writer = has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")
        if writer:
            begin_write(g.db_session)
    return g.db_session


def close_session(_exc: BaseException | None = None) -> None:
    """Close the request's session; anything not committed is rolled back."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
