"""The button press behind every staff lifecycle step, shared by the staff views."""

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from voting.core.lifecycle import (
    ConsultationError,
    EarlyCloseError,
    FourEyesError,
    PaperEntryIncompleteError,
    StorageTracesError,
    UnpublishableError,
)
from voting.core.models import Consultation
from voting.web.db import get_session
from voting.web.forms import ActionForm, ConfirmForm
from voting.web.lookups import consultation_or_404

Step = Callable[..., Any]
# Renders a step's confirmation page again, with the form's message, when the box was not ticked.
Confirmation = Callable[[Consultation, ConfirmForm], str]

# Why a second person was refused, by step: the one who counted, or asked to close early.
FOUR_EYES_MESSAGES = {
    "same_person": {
        "publish": _l(
            "You counted this consultation yourself: a second staff member must check "
            "and publish the result."
        ),
        "close": _l(
            "You asked to close voting early yourself: a second staff member must confirm it."
        ),
    },
    "no_account": {
        "publish": _l(
            "Only an active account of an editor or administrator may approve the publication."
        ),
        "close": _l("Only an active account of an editor or administrator may close voting."),
    },
    "newer_account": {
        "publish": _l(
            "Your account was created after the votes were counted, so it cannot approve "
            "the publication: a staff member whose account existed before the count must."
        ),
        "close": _l(
            "Your account was created after voting was asked to close early, so it cannot "
            "confirm it: a staff member whose account existed before the request must."
        ),
    },
}
EARLY_CLOSE_MESSAGES = {
    "not_opened": _l("Voting cannot be closed: its voting period has not begun yet."),
    "no_request": _l(
        "Voting closes early only at a written request, confirmed by a second staff member: "
        "give the reason on the confirmation page."
    ),
    "no_reason": _l("Please write down why voting should close early."),
    "not_early": _l("The voting period is over: close voting without a request."),
}


def refusal_message(error: FourEyesError | EarlyCloseError, step: str) -> str:
    """Say in the staff member's language why a step for two people was refused."""
    if isinstance(error, FourEyesError):
        return str(FOUR_EYES_MESSAGES[error.reason][step])
    return str(EARLY_CLOSE_MESSAGES[error.reason])


def perform_step(
    slug: str,
    step: Callable[..., Any],
    done: Callable[[Consultation], str],
    then: Callable[[Consultation], str | None] | None = None,
    confirm: Confirmation | None = None,
    name: str = "",
) -> Response | tuple[str, int]:
    """Run one lifecycle step for the logged-in staff member and go back to the consultation.

    The step takes ``session``, ``consultation`` and ``actor``; a step that the
    consultation's state does not allow changes nothing and says so. ``then`` runs
    once the step is committed, outside any transaction, and may return a warning.
    A step that cannot be undone has a ``confirm`` page: unless its box is ticked, the
    page comes back with 400 and nothing changes. ``name`` is the step, for refusals.
    """
    session = get_session()
    item = consultation_or_404(slug)
    form = ConfirmForm() if confirm is not None else ActionForm()
    if not form.validate_on_submit():
        if confirm is None or not isinstance(form, ConfirmForm) or form.csrf_token.errors:
            abort(400)
        return confirm(item, form), 400
    try:
        step(session=session, consultation=item, actor=current_user.username)
        session.commit()
        flash(done(item), "success")
        warning = then(item) if then is not None else None
        if warning:
            flash(warning, "error")
    except StorageTracesError:
        session.rollback()
        flash(
            _(
                "The votes cannot be counted yet: the order in which they came in could not "
                "be erased from the database files. The server log says why; try again."
            ),
            "error",
        )
    except (FourEyesError, EarlyCloseError) as error:
        session.rollback()
        flash(refusal_message(error, name), "error")
    except PaperEntryIncompleteError as error:
        session.rollback()
        flash(
            _(
                "Nothing was counted: the paper ballot sheets %(sheets)s are keyed once only "
                "or their entries differ. Key or settle them first.",
                sheets=", ".join(str(sheet) for sheet in error.sheets[:30]),
            ),
            "error",
        )
    except UnpublishableError as error:
        session.rollback()
        flash(
            _(
                "Nothing was published: the stored ballots at log positions %(leaves)s do not "
                "match what the public log committed to. The database may have been changed; "
                "have it examined before anything is published.",
                leaves=", ".join(str(leaf) for leaf in error.leaves[:20]),
            ),
            "error",
        )
    except ConsultationError:
        session.rollback()
        flash(_("This step is not possible in the consultation's current state."), "error")
    return redirect(url_for("staff.consultation", slug=slug))
