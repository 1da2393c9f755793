"""Words shown for stored codes (status, kind), in the visitor's language."""

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "draft": _l("draft"),
    "scheduled": _l("announced"),
    "open": _l("open for voting"),
    "closed": _l("closed, counting pending"),
    "tallied": _l("counted, result not yet published"),
    "published": _l("result published"),
}

KIND_LABELS = {
    "advisory": _l("Citizens' survey (advisory)"),
    "binding": _l("Citizens' decision (binding)"),
}

ACTION_LABELS = {
    "schedule": _l("Announce (freezes the questions)"),
    "open": _l("Open voting"),
    "close": _l("Close voting"),
    "tally": _l("Count the votes"),
    "publish": _l("Publish the result"),
}

ROLE_LABELS = {
    "admin": _l("administrator"),
    "editor": _l("editor"),
    "auditor": _l("auditor (read only)"),
}

# Counting methods; a method without an entry is shown by its name.
METHOD_LABELS = {
    "yes_no": _l("Yes / no / abstain (with quorum if binding)"),
    "single": _l("One choice"),
    "approval": _l("Approval: several choices"),
    "schulze": _l("Ranking, Schulze method"),
    "irv": _l("Ranking, instant runoff"),
    "stv": _l("Ranking, single transferable vote (several seats)"),
    "score": _l("Score voting"),
    "majority_judgment": _l("Majority judgment"),
    "budget_greedy": _l("Participatory budget, greedy by votes"),
    "equal_shares": _l("Participatory budget, Method of Equal Shares"),
}

LOCK_REASONS = {
    "announced": _l("Locked: the consultation has been announced, and its definition froze then."),
    "electorate": _l(
        "Locked: the electorate was imported with this rule. Delete the electorate to change it."
    ),
    "address": _l("Locked: the web address of a consultation never changes."),
    "read_only": _l("Read only: your role may look at everything and change nothing."),
}

JOB_KINDS = {"import": _l("Importing the electorate"), "tally": _l("Counting the votes")}
JOB_PHASES = {
    "import": _l("Voters imported"),
    "letters": _l("Letters written"),
    "tally": _l("Counting"),
}
