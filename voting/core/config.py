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
        # Browsers send no Referer under our Referrer-Policy: no-referrer, so Flask-WTF's
        # HTTPS check of it would refuse every form. The token, SameSite=Lax and HSTS remain.
        "WTF_CSRF_SSL_STRICT": False,
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        # Wrong polling codes one client address may try per consultation.
        "CODE_GUESS_LIMIT": "20 per hour",
        # The job queue: Redis (redis://127.0.0.1:6379/1) where set, else a SQLite file; and
        # the folder of the jobs' files (uploads, letters), which web servers and the job
        # worker must share.
        "JOBS_REDIS_URL": None,
        "JOBS_QUEUE_PATH": str(instance / "jobs-queue.db"),
        "JOBS_FOLDER": str(instance / "jobs"),
        # Where the rate limiter counts: memory:// per process, or redis://127.0.0.1:6379.
        "RATELIMIT_STORAGE_URI": "memory://",
        # Explicit: the one Limiter instance would otherwise keep an earlier app's setting.
        "RATELIMIT_ENABLED": True,
        # Reverse proxies in front of the app whose X-Forwarded-For is trusted (0: none).
        "TRUSTED_PROXIES": 0,
        # Districts and age bands with fewer ballots show no figures (ballot secrecy).
        "MIN_DISTRICT_BALLOTS": 10,
        # Secure cookies also over plain HTTP only if True; over HTTPS they always are.
        "SESSION_COOKIE_SECURE": False,
        "LOGIN_RATE_LIMIT": "10 per minute;100 per hour",
        # Accessibility statement (BITV 2.0): where people report barriers.
        "ACCESSIBILITY_CONTACT_EMAIL": "barrierefreiheit@example.org",
        "ACCESSIBILITY_CONTACT_PHONE": None,
        "ACCESSIBILITY_STATEMENT_DATE": "2026-11-25",
        "ACCESSIBILITY_ENFORCEMENT_BODY": (
            "Landesbeauftragter für die Belange behinderter Menschen Rheinland-Pfalz"
        ),
        "ACCESSIBILITY_ENFORCEMENT_URL": None,
        # Days after publication before the electorate and code hashes may be deleted.
        "ELECTORATE_RETENTION_DAYS": 90,
        # Return address in the window of the polling-card letters.
        "LETTER_SENDER": "Stadt Kaiserslautern · Willy-Brandt-Platz 1 · 67657 Kaiserslautern",
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
