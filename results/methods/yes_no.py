"""Yes/no questions, counted like a Bürgerentscheid in Rhineland-Palatinate."""

from collections.abc import Iterable, Sequence
from typing import Any

from results.methods import Outcome, register, tiers
from results.methods.single import count_single

OPTIONS = ["yes", "no", "abstain"]
QUORUMS = ("none", "rlp_buergerentscheid")

# Rule source: Gemeindeordnung Rheinland-Pfalz (GemO RLP) § 17a Abs. 7 as amended. The question
# is decided in the sense of the majority of valid votes, provided that majority is at least
# 15 % of those eligible; otherwise the council decides ("not_decided"). On a tie the question
# counts as answered "no" ("rejected", whatever the quorum); when nobody answered yes or no there
# is no majority at all, so the council decides. Abstentions count for turnout but are not valid
# yes/no votes.
QUORUM_PERCENT = 15


@register("yes_no")
def count_yes_no(
    options: Sequence[str],
    ballots: Iterable[str | None],
    *,
    quorum: str = "none",
    eligible: int | None = None,
    lot_seed: bytes | None = None,
) -> Outcome:
    """Count yes/no/abstain ballots and decide by the majority of yes and no votes.

    A tie is never drawn by lot: it counts as "no", so `lot_seed` is accepted for the
    common signature and not used.
    """
    if list(options) != OPTIONS:
        raise ValueError(f"a yes/no question has the options {OPTIONS}, not {list(options)}")
    if quorum not in QUORUMS:
        raise ValueError(f"unknown quorum {quorum!r} (known: {', '.join(QUORUMS)})")
    if quorum != "none" and (eligible is None or eligible < 1):
        raise ValueError(f"quorum {quorum!r} needs the number of eligible voters")

    # Yes, no and abstain are counted like any single choice; only the decision differs.
    single = count_single(OPTIONS, ballots).details
    counts, blank = single["counts"], single["blank"]

    yes, no = counts["yes"], counts["no"]
    details: dict[str, Any] = {"counts": counts, "blank": blank, "valid": yes + no}
    if yes + no == 0:
        decision = "not_decided"
    elif yes == no:
        decision = "rejected"  # § 17a (7): a tie counts as answered "no"
    else:
        decision = "accepted" if yes > no else "rejected"
    if quorum != "none":
        assert eligible is not None  # checked above; narrows the type
        # Whole numbers only: 15 % of 1001 eligible is 150.15, so 151 votes are needed.
        # A tie has no majority, so the quorum is not reached, but the tie rule still decides.
        reached = yes != no and 100 * max(yes, no) >= QUORUM_PERCENT * eligible
        details["quorum"] = {
            "rule": quorum,
            "eligible": eligible,
            "required": -(-QUORUM_PERCENT * eligible // 100),
            "reached": reached,
        }
        if yes != no and not reached:
            decision = "not_decided"
    details["decision"] = decision

    winners = {"accepted": ["yes"], "rejected": ["no"], "not_decided": []}
    return Outcome(
        winners=winners[decision],
        ranking=tiers(["yes", "no"], counts),
        details=details,
    )
