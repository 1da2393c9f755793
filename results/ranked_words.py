"""Ranked results in words, from the published details alone: Schulze, instant-runoff, STV.

Each function returns sentences for the results page, beside the matrix or the table of
rounds they put into words (docs/counting-rules.md, sections 4.5 to 4.7, says what the
details hold).
"""

from collections import deque
from fractions import Fraction
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from results.figures import fmt_int, fmt_points, option_names
from results.methods.stv import decimal


def _number(value: Fraction) -> str:
    """Format a count of votes that may be fractional (STV), as the round tables do."""
    return fmt_points(decimal(value))


def _plural(value: Fraction) -> int:
    """Return the count that picks a message's plural form: 1 only for exactly one."""
    return 1 if value == 1 else 2


def schulze_words(q: dict[str, Any], labels: dict[str, str]) -> list[str]:
    """Say the full ranking and why the winner beats each other option."""
    d = q["details"]
    if not d["ballots"] or not q["winners"]:
        return []
    keys, pairwise, paths = d["options"], d["pairwise"], d["strongest_paths"]
    index = {key: i for i, key in enumerate(keys)}
    places, place = [], 1
    for tier in q["ranking"]:
        names = option_names(labels, tier)
        shown = names if len(tier) == 1 else _("%(options)s (equal)", options=names)
        places.append(f"{place}. {shown}")
        place += len(tier)
    words = [
        _("Full ranking: %(ranking)s.", ranking=", ".join(places)),
        _(
            "The strength of a path is its weakest link: the smallest margin by which one "
            "option beats the next on it."
        ),
    ]
    winner = q["winners"][0]
    w = index[winner]
    for other in (key for tier in q["ranking"] for key in tier if key != winner):
        o = index[other]
        if paths[w][o] > paths[o][w]:
            words.append(
                _(
                    "%(winner)s beats %(other)s: %(for)s ballots rank %(winner)s higher, "
                    "%(against)s rank %(other)s higher; the strongest path from %(winner)s to "
                    "%(other)s (%(path)s) has strength %(strength)s, the one back %(back)s.",
                    winner=labels[winner],
                    other=labels[other],
                    **{"for": fmt_int(pairwise[w][o])},
                    against=fmt_int(pairwise[o][w]),
                    path=" → ".join(labels[keys[i]] for i in _path(pairwise, w, o, paths[w][o])),
                    strength=fmt_int(paths[w][o]),
                    back=fmt_int(paths[o][w]),
                )
            )
        else:
            words.append(
                _(
                    "%(winner)s and %(other)s are equal: the strongest paths both ways have "
                    "strength %(strength)s; the lot decided.",
                    winner=labels[winner],
                    other=labels[other],
                    strength=fmt_int(paths[w][o]),
                )
            )
    return words


def _path(pairwise: list[list[int]], start: int, end: int, strength: int) -> list[int]:
    """Return a shortest path from start to end whose every margin is at least `strength`."""
    n = len(pairwise)
    came_from = {start: start}
    queue = deque([start])
    while queue:
        a = queue.popleft()
        if a == end:
            break
        for b in range(n):
            if b not in came_from and pairwise[a][b] - pairwise[b][a] >= max(strength, 1):
                came_from[b] = a
                queue.append(b)
    path = [end]
    while path[-1] != start:
        path.append(came_from[path[-1]])
    return path[::-1]


def _transfers(gains: dict[str, Fraction], lost: Fraction, labels: dict[str, str]) -> list[str]:
    """Say where the votes of an eliminated option (or a surplus) went."""
    parts = [
        ngettext(
            "%(count)s vote goes to %(option)s",
            "%(count)s votes go to %(option)s",
            _plural(gain),
            count=_number(gain),
            option=labels[key],
        )
        for key, gain in sorted(gains.items(), key=lambda item: -item[1])
        if gain > 0
    ]
    if lost > 0:
        parts.append(
            ngettext(
                "%(count)s is exhausted",
                "%(count)s are exhausted",
                _plural(lost),
                count=_number(lost),
            )
        )
    return parts


def irv_words(q: dict[str, Any], labels: dict[str, str]) -> list[str]:
    """Say each round of an instant-runoff count in one sentence."""
    d = q["details"]
    rounds = d["rounds"]
    drawn = {lot["stage"] for lot in d.get("lot", [])}
    words = []
    for number, record in enumerate(rounds, 1):
        votes = record["votes"]
        total = sum(votes.values())
        loser = record.get("eliminated")
        if loser is None:
            if len(q["winners"]) == 1 and total:
                winner = q["winners"][0]
                words.append(
                    _(
                        "Round %(round)s: %(option)s has %(votes)s of %(total)s votes, more "
                        "than half, and wins.",
                        round=number,
                        option=labels[winner],
                        votes=fmt_int(votes[winner]),
                        total=fmt_int(total),
                    )
                )
            continue
        following = rounds[number]
        gains = {key: Fraction(following["votes"][key] - votes[key]) for key in following["votes"]}
        lost = Fraction(following["exhausted"] - record["exhausted"])
        sentence = ngettext(
            "Round %(round)s: %(option)s is eliminated with %(count)s vote",
            "Round %(round)s: %(option)s is eliminated with %(count)s votes",
            votes[loser],
            round=number,
            option=labels[loser],
            count=fmt_int(votes[loser]),
        )
        if f"round {number}: eliminated" in drawn:
            sentence += " " + _("(a tie for the fewest votes, drawn by lot)")
        parts = _transfers(gains, lost, labels)
        words.append(sentence + ("; " + ", ".join(parts) if parts else "") + ".")
    return words


def stv_words(q: dict[str, Any], labels: dict[str, str]) -> list[str]:
    """Say each stage of an STV count in one sentence."""
    d = q["details"]
    quota = d["quota"]
    drawn = {lot["stage"] for lot in d.get("lot", [])}
    words: list[str] = []
    previous: dict[str, Fraction] = {}
    for number, stage in enumerate(d["stages"], 1):
        votes = {key: Fraction(value) for key, value in stage["votes"].items()}
        action = stage["action"]
        if action == "first preferences":
            words.append(
                _(
                    "Stage %(stage)s: the first preferences are counted; the quota is %(quota)s "
                    "votes.",
                    stage=number,
                    quota=fmt_int(quota),
                )
            )
        elif action == "elected":
            chosen = stage["candidates"]
            names = option_names(labels, chosen)
            if all(votes.get(key, 0) >= quota for key in chosen):
                words.append(
                    ngettext(
                        "Stage %(stage)s: %(options)s reaches the quota and is elected.",
                        "Stage %(stage)s: %(options)s reach the quota and are elected.",
                        len(chosen),
                        stage=number,
                        options=names,
                    )
                )
            else:
                words.append(
                    ngettext(
                        "Stage %(stage)s: %(options)s is elected, as no more candidates are "
                        "left than seats.",
                        "Stage %(stage)s: %(options)s are elected, as no more candidates are "
                        "left than seats.",
                        len(chosen),
                        stage=number,
                        options=names,
                    )
                )
        else:
            candidate = stage["candidate"]
            moved = previous.get(candidate, Fraction(0)) - votes.get(candidate, Fraction(0))
            gains = {
                key: value - previous.get(key, Fraction(0))
                for key, value in votes.items()
                if key != candidate
            }
            lost = moved - sum(gain for gain in gains.values() if gain > 0)
            if action == "surplus":
                sentence = ngettext(
                    "Stage %(stage)s: the surplus of %(option)s, %(count)s vote, is transferred",
                    "Stage %(stage)s: the surplus of %(option)s, %(count)s votes, is transferred",
                    _plural(moved),
                    stage=number,
                    option=labels[candidate],
                    count=_number(moved),
                )
            else:
                sentence = ngettext(
                    "Stage %(stage)s: %(option)s is excluded with %(count)s vote",
                    "Stage %(stage)s: %(option)s is excluded with %(count)s votes",
                    _plural(moved),
                    stage=number,
                    option=labels[candidate],
                    count=_number(moved),
                )
            if f"stage {number}: {'surplus' if action == 'surplus' else 'exclusion'}" in drawn:
                sentence += " " + _("(a tie, drawn by lot)")
            parts = _transfers(gains, lost, labels)
            words.append(sentence + ("; " + ", ".join(parts) if parts else "") + ".")
        previous = votes
    return words
