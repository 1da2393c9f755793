"""The figures of ranked and graded questions: Borda, Schulze, IRV, STV, grades."""

from typing import Any

from flask_babel import gettext as _
from matplotlib.figure import Figure

from results import charts
from results.figures import (
    QuestionFigures,
    bar_figure,
    fmt_int,
    fmt_pct,
    fmt_points,
    locale_code,
    option_names,
    with_ties,
)


def borda_figures(q: dict[str, Any], labels: dict[str, str]) -> QuestionFigures:
    d = q["details"]
    keys = list(d["points"])
    values = [float(d["points"][k]) for k in keys]
    base_label = _(
        "Borda points from %(ballots)s ballots: n-1 for a first place, n-2 for a second, …",
        ballots=fmt_int(d["ballots"]),
    )
    summary = _("Most Borda points: %(options)s", options=option_names(labels, q["winners"]))
    order = sorted(keys, key=lambda k: -float(d["points"][k]))
    return QuestionFigures(
        q["key"],
        q["text"],
        q["method"],
        with_ties(summary, d, labels) if q["winners"] else _("No votes"),
        base_label,
        [_("Option"), _("Points"), _("First preferences")],
        [
            [labels[k], fmt_points(d["points"][k]), fmt_int(d["first_preferences"][k])]
            for k in order
        ],
        bar_figure(
            q,
            [labels[k] for k in keys],
            values,
            d["ballots"],
            base_label,
            value_labels=[fmt_points(d["points"][k]) for k in keys],
        ),
    )


def schulze_figures(q: dict[str, Any], labels: dict[str, str]) -> QuestionFigures:
    d = q["details"]
    keys = d["options"]
    names = [labels[k] for k in keys]
    base_label = _(
        "Each cell: ballots ranking the row's option above the column's (%(ballots)s ballots)",
        ballots=fmt_int(d["ballots"]),
    )
    summary = _("Schulze winner: %(options)s", options=option_names(labels, q["winners"]))

    def draw() -> Figure:
        return charts.heatmap(
            title=q["text"],
            caption=base_label,
            labels=names,
            matrix=d["pairwise"],
            locale=locale_code(),
        )

    return QuestionFigures(
        q["key"],
        q["text"],
        q["method"],
        with_ties(summary, d, labels) if q["winners"] else _("No votes"),
        base_label,
        [_("Option"), *names],
        [
            [names[i], *(fmt_int(v) if i != j else "–" for j, v in enumerate(row))]
            for i, row in enumerate(d["pairwise"])
        ],
        draw,
    )


def irv_figures(q: dict[str, Any], labels: dict[str, str]) -> QuestionFigures:
    d = q["details"]
    rounds = d["rounds"]
    base_label = _(
        "Votes per round: each ballot counts for its highest-ranked option still in the count"
    )
    if len(q["winners"]) == 1 and rounds:
        last = rounds[-1]["votes"]
        winner = q["winners"][0]
        summary = _(
            "Elected in round %(round)s: %(option)s with %(percent)s of the ballots still counting",
            round=len(rounds),
            option=labels[winner],
            percent=fmt_pct(last[winner], sum(last.values())),
        )
    elif q["winners"]:
        summary = _("Not decided: %(options)s", options=option_names(labels, q["winners"]))
    else:
        summary = _("No votes")
    panels = []
    titles = []
    for number, record in reversed(list(enumerate(rounds, 1))):
        votes = record["votes"]
        total = sum(votes.values())
        ordered = sorted(votes, key=lambda k: -votes[k])
        panels.append(
            [
                (labels[k], votes[k], f"{fmt_int(votes[k])} · {fmt_pct(votes[k], total)}")
                for k in ordered
            ]
        )
        titles.append(_("Round %(round)s", round=number))
    options = list(rounds[0]["votes"]) if rounds else []
    table = [
        [labels[k], *(fmt_int(r["votes"][k]) if k in r["votes"] else "–" for r in rounds)]
        for k in options
    ]

    def draw() -> Figure:
        return charts.rounds_chart(
            title=q["text"], caption=base_label, rounds=panels, round_titles=titles
        )

    return QuestionFigures(
        q["key"],
        q["text"],
        q["method"],
        with_ties(summary, d, labels),
        base_label,
        [_("Option"), *(_("Round %(round)s", round=i) for i in range(1, len(rounds) + 1))],
        table,
        draw,
    )


def stv_figures(q: dict[str, Any], labels: dict[str, str]) -> QuestionFigures:
    d = q["details"]
    first = d["stages"][0]["votes"] if d["stages"] else {}
    final = d["stages"][-1]["votes"] if d["stages"] else {}
    keys = [o["key"] for o in q["options"]]
    elected = set(q["winners"])
    summary = _(
        "Elected (%(seats)s seats): %(options)s",
        seats=d["seats"],
        options=option_names(labels, q["winners"]) or "–",
    )
    base_label = _(
        "Votes after the last stage; quota %(quota)s of %(ballots)s valid ballots",
        quota=fmt_int(d["quota"]),
        ballots=fmt_int(d["ballots"]),
    )
    values = [float(final.get(k, "0")) for k in keys]
    return QuestionFigures(
        q["key"],
        q["text"],
        q["method"],
        with_ties(summary, d, labels),
        base_label,
        [_("Candidate"), _("First preferences"), _("Last stage"), _("Elected")],
        [
            [
                labels[k],
                fmt_points(first.get(k, "0")),
                fmt_points(final.get(k, "0")),
                _("yes") if k in elected else _("no"),
            ]
            for k in keys
        ],
        bar_figure(
            q,
            [labels[k] for k in keys],
            values,
            d["ballots"],
            base_label,
            value_labels=[fmt_points(final.get(k, "0")) for k in keys],
            marked=[k in elected for k in keys],
            line=(d["quota"], _("Quota: %(votes)s", votes=fmt_int(d["quota"]))),
        ),
    )


def graded_figures(q: dict[str, Any], labels: dict[str, str]) -> QuestionFigures:
    d = q["details"]
    grades = d["grades"]
    keys = [k for tier in q["ranking"] for k in tier]
    if q["method"] == "majority_judgment":
        summary = _(
            "Best majority grade: %(options)s (%(grade)s)",
            options=option_names(labels, q["winners"]),
            grade=grades[d["median"][q["winners"][0]]] if q["winners"] else "–",
        )
        base_label = _(
            "Share of %(ballots)s ballots giving each grade; the line marks the median",
            ballots=fmt_int(d["ballots"]),
        )
    else:
        summary = _("Highest score: %(options)s", options=option_names(labels, q["winners"]))
        base_label = _(
            "Grades from 0 (%(worst)s) to %(best)s (%(top)s), added up over %(ballots)s ballots",
            worst=grades[0],
            best=len(grades) - 1,
            top=grades[-1],
            ballots=fmt_int(d["ballots"]),
        )
    headers = [_("Option"), *grades]
    table = [[labels[k], *(fmt_int(n) for n in d["profile"][k])] for k in keys]
    if q["method"] == "majority_judgment":
        headers.append(_("Majority grade"))
        for row, k in zip(table, keys, strict=False):
            row.append(grades[d["median"][k]])

        def draw() -> Figure:
            return charts.merit_profile(
                title=q["text"],
                caption=base_label,
                labels=[labels[k] for k in keys],
                profiles=[d["profile"][k] for k in keys],
                grades=grades,
            )

    else:
        headers.append(_("Total"))
        for row, k in zip(table, keys, strict=False):
            row.append(fmt_int(d["totals"][k]))
        draw = bar_figure(
            q,
            [labels[k] for k in keys],
            [d["totals"][k] for k in keys],
            d["ballots"],
            base_label,
            value_labels=[fmt_int(d["totals"][k]) for k in keys],
        )
    return QuestionFigures(
        q["key"],
        q["text"],
        q["method"],
        with_ties(summary, d, labels) if q["winners"] else _("No votes"),
        base_label,
        headers,
        table,
        draw,
    )
