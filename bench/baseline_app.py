"""The baseline of the casting benchmark: a minimal Flask app inserting one row per POST.

Same server, same database settings (voting.core.db.make_engine) and CSRF as the real
app, and nothing else: the ceiling the stack itself sets.
Run as ``gunicorn 'bench.baseline_app:create_app()'`` with VOTING_SECRET_KEY and
VOTING_DATABASE_URL set.
"""

import os

from flask import Flask, render_template_string, request
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import Column, Integer, MetaData, String, Table, Text, insert

from voting.core.db import make_engine

ENGINE_KEY = "bench.engine"
metadata = MetaData()
rows = Table(
    "bench_baseline",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(40), nullable=False, unique=True),
    Column("content", Text, nullable=False),
)

FORM = """<!doctype html><title>Baseline</title><form method="post" action="/cast">
<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
<input name="code"><button>Send</button></form>"""


def create_table(url: str) -> None:
    """Create the baseline's table, before the server starts (workers would race to)."""
    engine = make_engine(url)
    metadata.create_all(engine)
    engine.dispose()


def create_app() -> Flask:
    """Create the baseline app on VOTING_DATABASE_URL."""
    app = Flask(__name__)
    app.config.update(SECRET_KEY=os.environ["VOTING_SECRET_KEY"], WTF_CSRF_TIME_LIMIT=None)
    CSRFProtect(app)
    engine = make_engine(os.environ["VOTING_DATABASE_URL"])
    app.extensions[ENGINE_KEY] = engine  # for whoever runs the app in-process to dispose of

    @app.get("/")
    def form() -> str:
        return render_template_string(FORM)

    @app.post("/cast")
    def cast() -> str:
        with engine.begin() as connection:
            connection.execute(
                insert(rows).values(code=request.form["code"], content=request.form["content"])
            )
        return "recorded"

    return app


def create_app_on(url: str, secret_key: str) -> Flask:
    """Create the baseline app on ``url`` in this process, its table first.

    The app reads its settings from the environment, as under gunicorn; they are set for
    the moment it is made and put back after.
    """
    create_table(url)
    settings = {"VOTING_SECRET_KEY": secret_key, "VOTING_DATABASE_URL": url}
    saved = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    try:
        return create_app()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
