"""The button press behind every staff lifecycle step, shared by the staff views."""

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from voting.core.lifecycle import (
    ConsultationError,
    FourEyesError,
    PaperEntryIncompleteError,
    StorageTracesError,
    UnpublishableError,
)
from voting.core.models import Consultation
from voting.web.db import get_session
from voting.web.forms import ActionForm
from voting.web.lookups import consultation_or_404

Step = Callable[..., Any]


def perform_step(
    slug: str,
    step: Callable[..., Any],
    done: Callable[[Consultation], str],
    then: Callable[[Consultation], str | None] | None = None,
) -> Response:
    """Run one lifecycle step for the logged-in staff member and go back to the consultation.

    The step takes ``session``, ``consultation`` and ``actor``; a step that the
    consultation's state does not allow changes nothing and says so. ``then`` runs
    once the step is committed, outside any transaction, and may return a warning.
    """
    session = get_session()
    item = consultation_or_404(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
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
    except FourEyesError:
        session.rollback()
        flash(
            _(
                "You counted this consultation yourself: a second staff member must check "
                "and publish the result."
            ),
            "error",
        )
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
