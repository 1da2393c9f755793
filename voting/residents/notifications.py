"""Mails to residents, written in the language each resident chose."""

from typing import Any

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from voting.residents.models import ResidentAccount
from voting.residents.services import confirmation_token
from voting.web.mail import Mail, send_mail


def public_url(endpoint: str, **values: Any) -> str:
    """Return the absolute address of a page, on the configured public host."""
    return current_app.config["PUBLIC_URL"].rstrip("/") + url_for(endpoint, **values)


def send_to_resident(account: ResidentAccount, subject: Any, template: str, **context: Any) -> bool:
    """Send the mail ``residents/mail/<template>.txt`` in the resident's language."""
    with force_locale(account.language):
        mail = Mail(
            to=account.email,
            subject=str(subject),
            body=render_template(f"residents/mail/{template}.txt", account=account, **context),
        )
    return send_mail(mail)


def send_confirmation(account: ResidentAccount) -> bool:
    """Send the link that confirms the account's address."""
    token = confirmation_token(secret_key=current_app.config["SECRET_KEY"], account=account)
    link = public_url("residents.confirm", token=token)
    return send_to_resident(account, _l("Please confirm your e-mail address"), "confirm", link=link)


def send_already_registered(account: ResidentAccount) -> bool:
    """Tell an address's owner that someone tried to sign up with it again."""
    link = public_url("residents.login")
    return send_to_resident(
        account, _l("You already have an account"), "already_registered", link=link
    )
