"""Administrators manage staff accounts: create, change the role, deactivate."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from voting.core.models import Role
from voting.staff.admin import list_staff, update_staff_user
from voting.staff.forms import NewStaffForm, StaffRoleForm
from voting.staff.services import AccountError, create_staff_user
from voting.web.auth import role_required
from voting.web.db import get_session

bp = Blueprint("accounts", __name__, url_prefix="/staff/accounts")


def _page(form: NewStaffForm, status: int = 200) -> tuple[str, int]:
    users = list_staff(session=get_session())
    forms = {
        user.id: StaffRoleForm(prefix=f"u{user.id}", role=user.role, active=user.active)
        for user in users
    }
    return render_template("staff/accounts.html", users=users, forms=forms, form=form), status


@bp.get("/")
@role_required(Role.ADMIN)
def index() -> tuple[str, int]:
    """List the staff accounts with their roles."""
    return _page(NewStaffForm())


@bp.post("/")
@role_required(Role.ADMIN)
def create() -> Response | tuple[str, int]:
    """Create a staff account."""
    form = NewStaffForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    session = get_session()
    try:
        create_staff_user(
            session=session,
            username=form.username.data,
            password=form.password.data,
            role=Role(form.role.data),
            actor=current_user.username,
        )
        session.commit()
    except AccountError:
        session.rollback()
        form.username.errors.append(_("A staff member with this name exists already."))
        return _page(form, 409)
    flash(_("The account %(name)s was created.", name=form.username.data.strip()), "success")
    return redirect(url_for("accounts.index"))


@bp.post("/<int:user_id>")
@role_required(Role.ADMIN)
def update(user_id: int) -> Response:
    """Change a member's role or whether they may log in."""
    form = StaffRoleForm(prefix=f"u{user_id}")
    if not form.validate_on_submit():
        abort(400)
    session = get_session()
    try:
        update_staff_user(
            session=session,
            user_id=user_id,
            role=Role(form.role.data),
            active=bool(form.active.data),
            actor=current_user.username,
        )
        session.commit()
        flash(_("The account was changed."), "success")
    except AccountError:
        session.rollback()
        flash(_("You cannot change your own account, nor one that does not exist."), "error")
    return redirect(url_for("accounts.index"))
