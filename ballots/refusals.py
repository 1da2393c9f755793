"""Why a ballot is refused, and what the voter is told: one place for every way of voting."""

from enum import StrEnum

from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _

from ballots.content import BallotError


class Refusal(StrEnum):
    """The reasons a ballot or a returned card is not accepted."""

    NOT_OPEN = "not_open"
    CODE_FORMAT = "code_format"
    CODE_TYPO = "code_typo"
    UNKNOWN_CODE = "unknown_code"
    NOT_IN_ELECTORATE = "not_in_electorate"
    ALREADY_VOTED = "already_voted"
    BALLOT_INVALID = "ballot_invalid"


class CastRefused(Exception):
    """A ballot that is not accepted; the caller rolls back, so nothing is stored.

    ``error`` holds the BallotError where the answers do not fit the questions.
    """

    def __init__(self, reason: Refusal, error: BallotError | None = None) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.error = error

    @property
    def is_about_the_code(self) -> bool:
        """Tell whether the code was wrong, so the message belongs beside the code field."""
        return self.reason in (Refusal.CODE_FORMAT, Refusal.CODE_TYPO, Refusal.UNKNOWN_CODE)


# 409: the request is right but the state forbids it; 403: not this voter's to cast.
STATUS = {
    Refusal.NOT_OPEN: 409,
    Refusal.CODE_FORMAT: 400,
    Refusal.CODE_TYPO: 400,
    Refusal.UNKNOWN_CODE: 403,
    Refusal.NOT_IN_ELECTORATE: 403,
    Refusal.ALREADY_VOTED: 409,
    Refusal.BALLOT_INVALID: 400,
}


def refusal_message(refused: CastRefused, *, by_account: bool = False) -> str:
    """Return what the voter (or the staff member keying a card) is told, in their language.

    ``by_account`` words "already voted" for a resident logged in, who holds no code.
    """
    reason = refused.reason
    if reason == Refusal.ALREADY_VOTED:
        if by_account:
            return str(_("You have already voted in this consultation, online or on paper."))
        return str(_("This code has already been used to vote."))
    if reason == Refusal.NOT_OPEN:
        return str(_("This consultation is not open for voting."))
    if reason == Refusal.CODE_TYPO:
        return str(_("The code contains a typing error. Please compare it with your letter."))
    if reason == Refusal.CODE_FORMAT:
        return str(
            _(
                "This is not a polling code. A code has 20 letters and digits in groups of four, "
                "for example K7QM-9XDR-2TAW-P4NB-5HCE."
            )
        )
    if reason == Refusal.UNKNOWN_CODE:
        return str(_("This code is not valid for this consultation."))
    if reason == Refusal.NOT_IN_ELECTORATE:
        return str(
            _(
                "You are not in the electorate of this consultation (for example because of age "
                "or district). If you think this is wrong, please contact the city."
            )
        )
    return _ballot_message(refused.error)


def euros(amount: int) -> str:
    """Return a whole amount of euros as the reader writes it: "60.000 €", "60,000 €"."""
    return f"{format_decimal(amount, format='#,##0')} €"


def _ballot_message(error: BallotError | None) -> str:
    limit = (error.limit if error else None) or 0
    if error is not None and error.problem == "over_budget":
        return str(
            _(
                "The projects you chose cost %(total)s together, more than the budget of "
                "%(budget)s. Please choose fewer or cheaper projects.",
                total=euros(error.total or 0),
                budget=euros(limit),
            )
        )
    if error is not None and error.problem == "too_many":
        return str(
            ngettext(
                "Please choose at most %(num)d option.",
                "Please choose at most %(num)d options.",
                limit,
            )
        )
    if error is not None and error.problem == "too_few":
        return str(
            ngettext(
                "Please choose at least %(num)d option.",
                "Please choose at least %(num)d options.",
                limit,
            )
        )
    return str(_("Please choose only among the options shown."))
