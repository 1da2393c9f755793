"""The application factory: configuration, extensions and blueprints, nothing else."""

import os
from pathlib import Path
from typing import Any

from flask import Flask, request, session
from flask_babel import (
    Babel,
    format_currency,
    format_date,
    format_datetime,
    format_decimal,
    get_locale,
)
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from ballots import api as ballot_api
from ballots import cli as ballot_cli
from ballots import views as ballot_views
from results import bundle_views
from results import cli as results_cli
from results import views as results_views
from voting import demo
from voting.consultations import cli as consultation_cli
from voting.consultations import editor_views
from voting.consultations import views as consultation_views
from voting.core.config import LANGUAGES, REQUIRED_SECRETS, defaults
from voting.electorate import cli as electorate_cli
from voting.electorate import tasks as electorate_tasks
from voting.electorate import views as electorate_views
from voting.paper import ballot_views as paper_ballot_views
from voting.paper import views as paper_views
from voting.plans import views as plan_views
from voting.proposals import views as proposal_views
from voting.residents import cli as resident_cli
from voting.residents import views as resident_views
from voting.residents import vote_views as resident_vote_views
from voting.residents.models import RESIDENT_ID_PREFIX
from voting.residents.services import load_resident
from voting.staff import accounts as staff_accounts
from voting.staff import audit_views
from voting.staff import cli as staff_cli
from voting.staff import tasks as staff_tasks
from voting.staff import views as staff_views
from voting.web import auth, db, errors, jobs, limits, pages, security, vote_logging
from voting.web import cli as web_cli
from voting.web.labels import (
    ACTION_LABELS,
    JOB_KINDS,
    JOB_PHASES,
    KIND_LABELS,
    ROLE_LABELS,
    STATUS_LABELS,
)

ROOT = Path(__file__).resolve().parent.parent
# Settings that are always strings, read verbatim so a numeric-looking secret stays text.
STRING_SETTINGS = (
    "SECRET_KEY",
    "PSEUDONYM_KEY",
    "SIGNING_KEY_PASSPHRASE",
    "DATABASE_URL",
    "JOBS_REDIS_URL",
    "MAIL_SMTP_PASSWORD",
)

babel = Babel()
csrf = CSRFProtect()


def select_locale() -> str:
    """Return the language the visitor chose; German unless they picked another."""
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else LANGUAGES[0]


def _format_euro(amount: float | int) -> str:
    """Format an amount in euros the way the visitor's language writes it."""
    return format_currency(amount, "EUR")


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create the Bürgervotum web application."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("VOTING_INSTANCE_PATH", str(ROOT / "instance")),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_mapping(defaults(app.instance_path))
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("VOTING")
        for name in STRING_SETTINGS:
            if f"VOTING_{name}" in os.environ:
                app.config[name] = os.environ[f"VOTING_{name}"]
    else:
        app.config.from_mapping(test_config)
    missing = [name for name in REQUIRED_SECRETS if not app.config.get(name)]
    if missing:
        raise RuntimeError(
            "missing secrets: "
            + ", ".join(f"VOTING_{name}" for name in missing)
            + " (for a local instance run `python -m voting.core.instance`)"
        )

    if app.config["TRUSTED_PROXIES"]:
        # Behind a reverse proxy: the client's address and scheme come from its headers.
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    vote_logging.init_app(app)
    db.init_app(app)
    jobs.init_app(
        app, kinds={"import": electorate_tasks.import_register, "tally": staff_tasks.count_votes}
    )
    security.init_app(app)
    auth.init_app(
        app,
        loaders={
            RESIDENT_ID_PREFIX: lambda session, ref: load_resident(session=session, account_id=ref)
        },
    )
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(ROOT / "translations"),
    )

    # The JSON API changes nothing and is read by programs, not by forms of this site.
    csrf.exempt(ballot_api.bp)
    for blueprint in (
        consultation_views.bp,
        ballot_views.bp,
        ballot_api.bp,
        bundle_views.bp,
        results_views.bp,
        staff_views.bp,
        pages.bp,
        editor_views.bp,
        electorate_views.bp,
        audit_views.bp,
        staff_accounts.bp,
        resident_views.bp,
        resident_vote_views.bp,
        proposal_views.bp,
        plan_views.bp,
        paper_views.bp,
        paper_ballot_views.bp,
    ):
        app.register_blueprint(blueprint)
    errors.register(app)
    for commands in (
        web_cli,
        jobs,
        consultation_cli,
        electorate_cli,
        resident_cli,
        staff_cli,
        ballot_cli,
        results_cli,
        demo,
    ):
        commands.register(app)
    limits.init_app(app)

    @app.context_processor
    def _template_globals() -> dict[str, Any]:
        return {
            "languages": LANGUAGES,
            "lang": str(get_locale() or LANGUAGES[0]),
            "format_datetime": format_datetime,
            "format_date": format_date,
            "format_number": format_decimal,
            "format_euro": _format_euro,
            "current_path": request.full_path.rstrip("?"),
            "status_labels": STATUS_LABELS,
            "kind_labels": KIND_LABELS,
            "action_labels": ACTION_LABELS,
            "role_labels": ROLE_LABELS,
            "job_kinds": JOB_KINDS,
            "job_phases": JOB_PHASES,
        }

    return app
