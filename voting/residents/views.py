"""Resident accounts on the web: sign-up, confirmation, login, residency verification."""

from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from voting.core.audit import record_event
from voting.residents.auth import current_resident, resident_required, safe_next
from voting.residents.forms import RegisterForm, ResidencyCodeForm, ResidentLoginForm, VerifyForm
from voting.residents.notifications import send_already_registered, send_confirmation
from voting.residents.services import (
    ResidentError,
    authenticate_resident,
    confirm_email,
    issue_residency_code,
    register_resident,
    verify_residency,
)
from voting.web.auth import EDITORS, role_required
from voting.web.db import get_session
from voting.web.forms import ActionForm

bp = Blueprint("residents", __name__)


def _message(reason: str) -> str:
    """Return what a resident is told when a request is refused."""
    return {
        "email_invalid": _("This is not an e-mail address."),
        "password_short": _("The password is too short."),
        "link_invalid": _("This confirmation link is not valid. Please use the newest mail."),
        "link_expired": _("This confirmation link has expired. Log in to get a new one."),
        "not_confirmed": _("Please confirm your e-mail address first."),
        "code_typo": _("The code contains a typing error. Please compare it with your letter."),
        "code_format": _(
            "This is not a letter code. A code has 20 letters and digits in groups of four."
        ),
        "unknown_code": _("This code is not valid. Please check it against your letter."),
        "code_expired": _("This code has expired. Please ask the city for a new letter."),
    }[reason]


@bp.route("/residents/register", methods=["GET", "POST"])
def register() -> Response | tuple[str, int] | str:
    """Sign up; the confirmation link goes to the given address."""
    form = RegisterForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("residents/register.html", form=form), status
    session = get_session()
    try:
        account, created = register_resident(
            session=session,
            email=form.email.data,
            password=form.password.data,
            language=str(get_locale() or "de"),
        )
    except ResidentError as refused:
        session.rollback()
        form.email.errors = [*form.email.errors, _message(refused.reason)]
        return render_template("residents/register.html", form=form), 400
    session.commit()
    # The same answer either way: the page must not tell who has an account.
    (send_confirmation if created else send_already_registered)(account)
    return redirect(url_for("residents.registered"))


@bp.get("/residents/registered")
def registered() -> str:
    """Ask the new resident to open the confirmation mail."""
    return render_template("residents/registered.html")


@bp.get("/residents/confirm/<token>")
def confirm(token: str) -> Response | tuple[str, int]:
    """Confirm an address from the link in the mail."""
    session = get_session()
    try:
        confirm_email(
            session=session,
            token=token,
            secret_key=current_app.config["SECRET_KEY"],
            max_age=int(current_app.config["EMAIL_CONFIRM_MAX_AGE"]),
            now=datetime.now(UTC),
        )
    except ResidentError as refused:
        session.rollback()
        return render_template(
            "residents/confirm_failed.html", message=_message(refused.reason)
        ), 400
    session.commit()
    flash(_("Thank you, your e-mail address is confirmed."), "success")
    if current_resident() is not None:
        return redirect(url_for("residents.account"))
    return redirect(url_for("residents.login"))


@bp.route("/residents/login", methods=["GET", "POST"])
def login() -> Response | tuple[str, int] | str:
    """Log a resident in; an unconfirmed address gets a new link instead."""
    form = ResidentLoginForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("residents/login.html", form=form), status
    session = get_session()
    account = authenticate_resident(
        session=session, email=form.email.data, password=form.password.data
    )
    if account is None:
        form.form_errors.append(_("E-mail address or password is wrong."))
        return render_template("residents/login.html", form=form), 401
    session.commit()  # a rehashed password
    if not account.is_confirmed:
        send_confirmation(account)
        form.form_errors.append(
            _("Please confirm your e-mail address first. We have sent you a new link.")
        )
        return render_template("residents/login.html", form=form), 403
    login_user(account)
    return redirect(safe_next(request.args.get("next"), url_for("residents.account")))


@bp.post("/residents/logout")
@resident_required()
def logout() -> Response:
    """Log the resident out."""
    if not ActionForm().validate_on_submit():
        abort(400)
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("consultations.index"))


@bp.get("/residents/account")
@resident_required()
def account() -> str:
    """Show the account's state and what the resident can do next."""
    return render_template("residents/account.html", account=current_resident())


@bp.route("/residents/verify", methods=["GET", "POST"])
@resident_required()
def verify() -> Response | tuple[str, int] | str:
    """Verify residency with the one-time code from the letter."""
    resident = current_resident()
    assert resident is not None
    form = VerifyForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("residents/verify.html", form=form, account=resident), status
    session = get_session()
    try:
        verify_residency(
            session=session,
            account=resident,
            code=form.code.data,
            pseudonym_key=current_app.config["PSEUDONYM_KEY"],
            now=datetime.now(UTC),
        )
    except ResidentError as refused:
        session.rollback()
        status = 403 if refused.reason in ("unknown_code", "code_expired", "not_confirmed") else 400
        form.code.errors = [*form.code.errors, _message(refused.reason)]
        return render_template("residents/verify.html", form=form, account=resident), status
    session.commit()
    flash(_("Your residency is verified. You can now vote, propose and support."), "success")
    return redirect(url_for("residents.account"))


@bp.route("/staff/residency-codes", methods=["GET", "POST"])
@role_required(*EDITORS)
def issue_code() -> Response | tuple[str, int] | str:
    """Issue a one-time residency code for a letter to one registered person."""
    form = ResidencyCodeForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("staff/residency_code.html", form=form, code=None), status
    session = get_session()
    code = issue_residency_code(
        session=session,
        person_id=form.person_id.data,
        pseudonym_key=current_app.config["PSEUDONYM_KEY"],
        now=datetime.now(UTC),
        valid_days=int(current_app.config["RESIDENCY_CODE_DAYS"]),
    )
    record_event(session=session, actor=current_user.username, action="residency_code.issued")
    session.commit()
    response = current_app.make_response(
        render_template(
            "staff/residency_code.html", form=ResidencyCodeForm(formdata=None), code=code
        )
    )
    # The code is shown once, for the letter, and never cached.
    response.headers["Cache-Control"] = "no-store"
    return response
