"""The page before a step that cannot be undone: what happens, what stays, and a box to tick.

Open, close, count, publish and deleting the electorate each ask first; the page works
without JavaScript, and the step's POST refuses with 400 unless the box is ticked.
"""

from dataclasses import dataclass
from typing import Any

from flask import render_template
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from voting.core.models import Consultation
from voting.web.forms import ConfirmForm


@dataclass(frozen=True)
class StepText:
    """What the confirmation page of one step says."""

    title: LazyString
    happens: LazyString
    irreversible: LazyString
    button: LazyString


STEPS = {
    "open": StepText(
        _l("Open voting"),
        _l(
            "Voting starts now: everyone in the electorate can vote with the code in their "
            "letter. The definition is signed with the number of people eligible to vote."
        ),
        _l(
            "A consultation once opened cannot go back to being announced: its questions, "
            "options and electorate can no longer be changed, and votes cast stay cast."
        ),
        _l("Open voting now"),
    ),
    "close": StepText(
        _l("Close voting"),
        _l(
            "Voting ends now: no further ballot is accepted, online or with a polling card. "
            "The final state of the ballot log is signed."
        ),
        _l(
            "Voting cannot be opened again. Whoever has not voted yet can no longer vote in "
            "this consultation."
        ),
        _l("Close voting now"),
    ),
    "tally": StepText(
        _l("Count the votes"),
        _l(
            "All ballots are counted now. The result is visible to staff only until a second "
            "staff member publishes it."
        ),
        _l(
            "The count is kept as it is: it is the result that will be published. Voting "
            "cannot be opened again."
        ),
        _l("Count the votes now"),
    ),
    "publish": StepText(
        _l("Publish the result"),
        _l(
            "The result becomes public, and with it the complete ballot log, so that anyone "
            "can check the count."
        ),
        _l(
            "Publishing makes every ballot's content public in the log and cannot be "
            "withdrawn: anyone can copy the result, the ballots and the signed log from that "
            "moment on."
        ),
        _l("Publish the result now"),
    ),
    "delete_electorate": StepText(
        _l("Delete the electorate"),
        _l(
            "Every voter of this consultation is removed from the database: the register "
            "entries and the hashes of the polling codes."
        ),
        _l(
            "Names and codes are removed for good: the letters already sent no longer work, "
            "and the electorate cannot be restored, only imported again before voting opens."
        ),
        _l("Delete the electorate now"),
    ),
}


def confirmation_page(
    consultation: Consultation,
    step: str,
    form: ConfirmForm,
    *,
    target: str,
    status: int = 200,
    **extra: Any,
) -> tuple[str, int]:
    """Render the confirmation page of ``step``, its form posting to ``target``."""
    html = render_template(
        "staff/confirm.html",
        consultation=consultation,
        step=STEPS[step],
        form=form,
        target=target,
        **extra,
    )
    return html, status
