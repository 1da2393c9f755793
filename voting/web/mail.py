"""Sending mail to residents: by SMTP where configured, otherwise to the log in development.

A mail's body and recipient are personal data: they reach the log only in
development (debug or testing mode, or MAIL_TO_LOG), never in production.
"""

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mail:
    """One plain-text mail."""

    to: str
    subject: str
    body: str


def send_mail(mail: Mail) -> bool:
    """Send ``mail``; return whether it left (or, in development, was logged)."""
    config = current_app.config
    host = config.get("MAIL_SMTP_HOST")
    if not host:
        if current_app.debug or current_app.testing or config.get("MAIL_TO_LOG"):
            # A warning, so it shows on a development console without logging set up.
            logger.warning(
                "mail (development, not sent)\nTo: %s\nSubject: %s\n\n%s",
                mail.to,
                mail.subject,
                mail.body,
            )
            return True
        logger.warning("mail not sent: MAIL_SMTP_HOST is not configured")
        return False
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message.set_content(mail.body)
    try:
        with smtplib.SMTP(host, int(config["MAIL_SMTP_PORT"]), timeout=15) as smtp:
            if config.get("MAIL_SMTP_STARTTLS"):
                smtp.starttls()
            if config.get("MAIL_SMTP_USERNAME"):
                smtp.login(config["MAIL_SMTP_USERNAME"], config["MAIL_SMTP_PASSWORD"] or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        # The reason only: the recipient is personal data.
        logger.warning("mail not sent: %s", type(exc).__name__)
        return False
    return True
