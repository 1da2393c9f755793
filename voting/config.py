"""Configuration defaults; deployments override them with VOTING_* environment variables."""

from pathlib import Path
from typing import Any

LANGUAGES = ("de", "en")


def defaults(instance_path: str) -> dict[str, Any]:
    """Return the settings every deployment starts from."""
    instance = Path(instance_path)
    return {
        # Secrets have no default: they come from instance/config.py or the environment.
        "SECRET_KEY": None,
        "PSEUDONYM_KEY": None,
        "DATABASE_URL": f"sqlite:///{instance / 'buergervotum.db'}",
        "SIGNING_KEY_PATH": str(instance / "signing-key.pem"),
        "SIGNING_KEY_PASSPHRASE": None,
        "PUBLIC_URL": "http://127.0.0.1:5000",
        "CITY_NAME": "Stadt Kaiserslautern",
        "BABEL_DEFAULT_LOCALE": "de",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Berlin",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        # Mail to residents: without an SMTP host nothing is sent; see voting/mail.py.
        "MAIL_SENDER": "Bürgervotum <noreply@localhost>",
        "MAIL_SMTP_HOST": None,
        "MAIL_SMTP_PORT": 587,
        "MAIL_SMTP_USERNAME": None,
        "MAIL_SMTP_PASSWORD": None,
        "MAIL_SMTP_STARTTLS": True,
        "MAIL_TO_LOG": False,
        # Residents and their proposals.
        "EMAIL_CONFIRM_MAX_AGE": 3 * 24 * 3600,
        "RESIDENCY_CODE_DAYS": 90,
        "PROPOSAL_SUPPORT_THRESHOLD": 50,
        "PROPOSAL_SUPPORT_DAYS": 90,
    }


REQUIRED_SECRETS = ("SECRET_KEY", "PSEUDONYM_KEY")
