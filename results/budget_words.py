"""The Method of Equal Shares explained on the results page, from the stored explanation.

results.budget_explanation computes it at the count; this module puts it into the reader's
words and numbers: money per voter, who paid for each funded project, why the others were
not funded, the comparison with greedy by votes, and the ballots' lengths as a chart.
"""

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from matplotlib.figure import Figure

from results import charts
from results.budget_explanation import decisive_lots
from results.figures import (
    QuestionFigures,
    fmt_int,
    fmt_pct,
    locale_code,
    option_names,
)
from results.numbers import format_decimal, format_euros


@dataclass(frozen=True)
class BudgetExplanation:
    """What the page shows under a budget counted by equal shares."""

    intro: list[str]
    headers: list[str]  # of the funded projects' table
    funded: list[list[str]]  # round, project, cost, votes, effective support, who paid
    completion: str
    unfunded: list[tuple[str, str]]  # project, why it was not funded
    comparison: list[str]
    lots: list[str]
    lengths: QuestionFigures  # the histogram of ballot lengths


def euros(amount: str | int | Fraction) -> str:
    return format_euros(Fraction(amount), locale_code())


def support(value: str) -> str:
    return format_decimal(Fraction(value), locale_code())


def payments(item: dict[str, Any]) -> str:
    """Say who paid how much for one funded project."""
    price = euros(item["price"])
    if not item["paid_rest"] and not item["paid_nothing"]:
        return ngettext(
            "%(count)s supporter paid %(price)s.",
            "The %(count)s supporters paid %(price)s each.",
            item["paid_price"],
            count=fmt_int(item["paid_price"]),
            price=price,
        )
    parts = []
    if item["paid_price"]:
        parts.append(
            ngettext(
                "%(count)s supporter paid %(price)s",
                "%(count)s supporters paid %(price)s each",
                item["paid_price"],
                count=fmt_int(item["paid_price"]),
                price=price,
            )
        )
    if item["paid_rest"]:
        parts.append(
            ngettext(
                "%(count)s paid the rest of their money, %(total)s",
                "%(count)s paid the rest of their money, %(total)s together",
                item["paid_rest"],
                count=fmt_int(item["paid_rest"]),
                total=euros(item["rest_total"]),
            )
        )
    if item["paid_nothing"]:
        parts.append(
            ngettext(
                "%(count)s had no money left",
                "%(count)s had no money left",
                item["paid_nothing"],
                count=fmt_int(item["paid_nothing"]),
            )
        )
    return "; ".join(parts) + "."


def reason(item: dict[str, Any], labels: dict[str, str]) -> str:
    """Say why one project was not funded."""
    if item["reason"] == "no_votes":
        return _("Nobody voted for it.")
    if item["reason"] == "too_dear":
        return ngettext(
            "Too expensive for its supporter: %(count)s vote brought %(money)s, it costs %(cost)s.",
            "Too expensive for its supporters: its %(count)s votes brought %(money)s together, "
            "it costs %(cost)s.",
            item["votes"],
            count=fmt_int(item["votes"]),
            money=euros(item["money"]),
            cost=euros(item["cost"]),
        )
    return _(
        "In round %(round)s its effective support was %(effective)s (price per vote "
        "%(price)s); %(winner)s was funded with %(winner_effective)s. To be funded instead it "
        "would have needed a price per vote of at most %(needed)s. In the end its supporters "
        "had only %(money)s left, less than its cost of %(cost)s.",
        round=item["round"],
        effective=support(item["effective"]),
        price=euros(item["price"]),
        winner=labels[item["winner"]],
        winner_effective=support(item["winner_effective"]),
        needed=euros(item["needed_price"]),
        money=euros(item["money"]),
        cost=euros(item["cost"]),
    )


def explain_budget(q: dict[str, Any], labels: dict[str, str]) -> BudgetExplanation | None:
    """Return the explanation of a budget counted by equal shares; None for a result without."""
    e = q.get("explanation")
    if e is None:
        return None
    d = q["details"]
    voters = e["voters"]
    intro = []
    if voters:
        intro.append(
            _(
                "%(voters)s voters chose at least one project. The budget of %(budget)s was "
                "shared equally among them: each had %(share)s to spend on the projects they "
                "chose.",
                voters=fmt_int(voters),
                budget=euros(d["budget"]),
                share=euros(e["share"]),
            )
        )
        if e["share_raised"]:
            intro.append(
                _(
                    "So that the budget is used as fully as possible, this share was raised in "
                    "whole euros from %(exact)s as long as the funded projects still fit the "
                    "budget.",
                    exact=euros(Fraction(d["budget"], voters)),
                )
            )
        intro.append(
            _(
                "In each round the project with the highest effective support is funded: its "
                "cost divided by the price per vote, which is what each supporter pays who "
                "still has enough money (the others pay what they have left). As long as all "
                "its supporters have enough money, a project's effective support is its "
                "number of votes."
            )
        )
    funded = [
        [
            fmt_int(number),
            labels[item["project"]],
            euros(item["cost"]),
            fmt_int(item["votes"]),
            support(item["effective"]),
            payments(item),
        ]
        for number, item in enumerate(e.get("rounds", []), 1)
    ]
    completion = ""
    if e.get("completion"):
        spent = sum(item["cost"] for item in e["rounds"])
        completion = _(
            "The money left, %(left)s, went by votes to the projects that still fitted the "
            "budget: %(projects)s.",
            left=euros(d["budget"] - spent),
            projects=option_names(labels, e["completion"]),
        )
    return BudgetExplanation(
        intro=intro,
        headers=[
            _("Round"),
            _("Project"),
            _("Cost"),
            _("Votes"),
            _("Effective support"),
            _("Who paid"),
        ],
        funded=funded,
        completion=completion,
        unfunded=[(labels[item["project"]], reason(item, labels)) for item in e["unfunded"]],
        comparison=comparison(e["greedy"], voters, labels),
        lots=[
            _(
                "Tie broken by lot between %(options)s: %(drawn)s was drawn.",
                options=option_names(labels, lot["tied"]),
                drawn=labels[lot["drawn"]],
            )
            for lot in decisive_lots(d)
        ],
        lengths=length_figures(q),
    )


def comparison(greedy: dict[str, Any], voters: int, labels: dict[str, str]) -> list[str]:
    """Say what greedy by votes would have funded and whom each rule leaves with nothing."""
    words = [
        _(
            "Greedy by votes (the project with the most votes first, as long as it fits the "
            "budget) would have funded: %(projects)s.",
            projects=option_names(labels, greedy["funded"]) or "–",
        )
    ]
    if not greedy["only_equal_shares"] and not greedy["only_greedy"]:
        words.append(_("Both rules fund the same projects."))
    else:
        words.append(
            _(
                "Funded only by equal shares: %(shares)s. Funded only by votes: %(greedy)s.",
                shares=option_names(labels, greedy["only_equal_shares"]) or "–",
                greedy=option_names(labels, greedy["only_greedy"]) or "–",
            )
        )
    without = greedy["voters_without_project"]
    words.append(
        _(
            "Voters none of whose projects is funded: %(shares)s (%(shares_pct)s) by equal "
            "shares, %(greedy)s (%(greedy_pct)s) by votes.",
            shares=fmt_int(without["equal_shares"]),
            shares_pct=fmt_pct(without["equal_shares"], voters),
            greedy=fmt_int(without["greedy"]),
            greedy_pct=fmt_pct(without["greedy"], voters),
        )
    )
    return words


def length_figures(q: dict[str, Any]) -> QuestionFigures:
    """Return the histogram of how many projects each ballot chose."""
    e = q["explanation"]
    rows = e["ballot_lengths"]
    voters = e["voters"]
    names = [
        ngettext("%(count)s project", "%(count)s projects", length, count=fmt_int(length))
        for length, _n in rows
    ]
    counts = [n for _length, n in rows]
    title = _("How many projects each ballot chose: %(question)s", question=q["text"])
    base_label = _("Ballots that chose at least one project (%(base)s)", base=fmt_int(voters))
    if rows:
        most = max(rows, key=lambda row: row[1])[0]
        summary = ngettext(
            "Most ballots chose %(count)s project",
            "Most ballots chose %(count)s projects",
            most,
            count=fmt_int(most),
        )
    else:
        summary = _("No votes")

    def draw() -> Figure:
        return charts.bar_chart(
            title=title,
            labels=names,
            counts=counts,
            base=voters,
            base_label=base_label,
            locale=locale_code(),
            sort=False,
        )

    return QuestionFigures(
        q["key"],
        title,
        q["method"],
        summary,
        base_label,
        [_("Projects chosen"), _("Ballots"), _("Share")],
        [[name, fmt_int(n), fmt_pct(n, voters)] for name, n in zip(names, counts, strict=True)],
        draw,
    )
