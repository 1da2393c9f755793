"""Pages about the site itself: the accessibility statement and the help on voting."""

from datetime import date

from flask import Blueprint, current_app, render_template

bp = Blueprint("pages", __name__)


@bp.get("/barrierefreiheit")
def accessibility() -> str:
    """Show the accessibility statement with the feedback contact (BITV 2.0 § 7)."""
    config = current_app.config
    return render_template(
        "pages/accessibility.html",
        email=config["ACCESSIBILITY_CONTACT_EMAIL"],
        phone=config["ACCESSIBILITY_CONTACT_PHONE"],
        prepared_on=date.fromisoformat(config["ACCESSIBILITY_STATEMENT_DATE"]),
        enforcement_body=config["ACCESSIBILITY_ENFORCEMENT_BODY"],
        enforcement_url=config["ACCESSIBILITY_ENFORCEMENT_URL"],
    )


@bp.get("/hilfe/abstimmen")
def voting_help() -> str:
    """Explain in plain words how the ballot stays secret and what a receipt proves."""
    return render_template("pages/voting_help.html")
