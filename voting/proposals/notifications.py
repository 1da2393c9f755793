"""Mails to a proposal's author."""

from flask_babel import lazy_gettext as _l

from voting.proposals.models import Proposal
from voting.residents.models import ResidentAccount
from voting.residents.notifications import public_url, send_to_resident


def send_proposal_status(account: ResidentAccount, proposal: Proposal) -> bool:
    """Tell the author where their proposal stands now."""
    link = public_url("proposals.mine")
    return send_to_resident(
        account,
        _l("Your proposal has a new status"),
        "proposal_status",
        proposal=proposal,
        link=link,
    )
