"""What is shown for one question: the outcome in words, a chart, its alt text and the table.

All four come from one QuestionFigures, so the words, the picture and the numbers agree.
"""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from matplotlib.figure import Figure

from results import charts
from results.budget_explanation import decisive_lots
from results.budget_words import explain_budget, length_figures
from results.cells import REMAINDER
from results.figures import (
    QuestionFigures,
    bar_figure,
    fmt_int,
    fmt_money,
    fmt_pct,
    locale_code,
    option_names,
    with_ties,
)
from results.figures_ranked import (
    borda_figures,
    graded_figures,
    irv_figures,
    schulze_figures,
    stv_figures,
)
from results.ranked_words import irv_words, schulze_words, stv_words

__all__ = [
    "QuestionFigures",
    "chart_bytes",
    "district_label",
    "figures",
    "length_figures",
    "locale_code",
    "turnout_figures",
]
BERLIN = ZoneInfo("Europe/Berlin")


def _yes_no_decision(decision: str, yes: int, no: int, base: int) -> str:
    """Say the decision in words; a tie counts as "no" by GemO RLP § 17a (7)."""
    if decision == "tie":  # results published before the tie counted as "no"
        return str(_("Tie: the proposal is not accepted"))
    if base == 0:
        return str(_("Not decided: nobody voted yes or no"))
    if yes == no:
        return str(_("Tie: the question counts as answered no"))
    if decision == "accepted":
        return str(_("Accepted: %(percent)s yes", percent=fmt_pct(yes, base)))
    if decision == "rejected":
        return str(_("Rejected: %(percent)s no", percent=fmt_pct(no, base)))
    if yes > no:
        return str(_("Not decided: %(percent)s yes", percent=fmt_pct(yes, base)))
    return str(_("Not decided: %(percent)s no", percent=fmt_pct(no, base)))


def _yes_no(q: dict[str, Any], labels: dict[str, str]) -> QuestionFigures:
    d = q["details"]
    counts, base = d["counts"], d["valid"]
    yes, no = counts["yes"], counts["no"]
    summary = _yes_no_decision(d["decision"], yes, no, base)
    line = None
    if "quorum" in d:
        quorum = d["quorum"]
        required = fmt_int(quorum["required"])
        if quorum["reached"]:
            summary += "; " + _("quorum of 15 %% reached (%(votes)s votes)", votes=required)
        else:
            summary += "; " + _("quorum of 15 %% not reached (%(votes)s votes)", votes=required)
        line = (quorum["required"], _("Quorum: %(votes)s", votes=required))
    base_label = _(
        "Percent of valid yes/no votes (%(base)s); abstentions: %(abstain)s",
        base=fmt_int(base),
        abstain=fmt_int(counts["abstain"]),
    )
    names = [_("Yes"), _("No")]
    return QuestionFigures(
        q["key"],
        q["text"],
        q["method"],
        summary,
        base_label,
        [_("Answer"), _("Votes"), _("Share")],
        [[names[0], fmt_int(yes), fmt_pct(yes, base)], [names[1], fmt_int(no), fmt_pct(no, base)]],
        bar_figure(q, names, [yes, no], base, base_label, sort=False, line=line),
    )


def _plurality(q: dict[str, Any], labels: dict[str, str]) -> QuestionFigures:
    d = q["details"]
    keys = list(d["counts"])
    counts = [d["counts"][k] for k in keys]
    if q["method"] == "approval":
        base = d["ballots"]
        base_label = _(
            "Percent of ballots that chose at least one option (%(base)s); several choices allowed",
            base=fmt_int(base),
        )
    else:
        base = d["valid"]
        base_label = _("Percent of valid votes (%(base)s)", base=fmt_int(base))
    winners = q["winners"]
    summary = (
        _("Most votes: %(options)s", options=option_names(labels, winners))
        if winners
        else _("No votes")
    )
    rows = sorted(zip(keys, counts, strict=False), key=lambda kc: -kc[1])
    return QuestionFigures(
        q["key"],
        q["text"],
        q["method"],
        with_ties(summary, d, labels),
        base_label,
        [_("Option"), _("Votes"), _("Share")],
        [[labels[k], fmt_int(n), fmt_pct(n, base)] for k, n in rows],
        bar_figure(q, [labels[k] for k in keys], counts, base, base_label),
    )


def _budget(q: dict[str, Any], labels: dict[str, str]) -> QuestionFigures:
    d = q["details"]
    keys = [o["key"] for o in q["options"]]
    funded = set(d["funded"])
    summary = _(
        "Funded: %(funded)s of %(projects)s projects, %(spent)s of %(budget)s",
        funded=len(d["funded"]),
        projects=len(keys),
        spent=fmt_money(d["spent"]),
        budget=fmt_money(d["budget"]),
    )
    base_label = _(
        "%(summary)s. Bars: approvals of %(ballots)s ballots and the cost; funded projects "
        "hatched and marked ✓",
        summary=summary,
        ballots=fmt_int(d["ballots"]),
    )
    order = sorted(keys, key=lambda k: (k not in funded, -d["votes"][k]))
    # A lot among projects that were all funded only set their order: it decided nothing.
    ties = {k: v for k, v in d.items() if k != "lot"} | {"lot": decisive_lots(d)}
    return QuestionFigures(
        q["key"],
        q["text"],
        q["method"],
        with_ties(summary, ties, labels),
        base_label,
        [_("Project"), _("Votes"), _("Cost"), _("Funded")],
        [
            [
                labels[k],
                fmt_int(d["votes"][k]),
                fmt_money(d["costs"][k]),
                _("yes") if k in funded else _("no"),
            ]
            for k in order
        ],
        lambda: charts.budget_chart(
            title=q["text"],
            caption=base_label,
            labels=[labels[k] + (" ✓" if k in funded else "") for k in keys],
            value_labels=[f"{fmt_int(d['votes'][k])} · {fmt_money(d['costs'][k])}" for k in keys],
            votes=[d["votes"][k] for k in keys],
            costs=[d["costs"][k] for k in keys],
            funded=[k in funded for k in keys],
            budget=d["budget"],
            budget_label=_("Budget %(budget)s", budget=fmt_money(d["budget"])),
        ),
    )


BUILDERS = {
    "yes_no": _yes_no,
    "single": _plurality,
    "approval": _plurality,
    "borda": borda_figures,
    "schulze": schulze_figures,
    "irv": irv_figures,
    "stv": stv_figures,
    "majority_judgment": graded_figures,
    "score": graded_figures,
    "pb_greedy": _budget,
    "pb_equal_shares": _budget,
}


WORDS = {"schulze": schulze_words, "irv": irv_words, "stv": stv_words}


def figures(question: dict[str, Any]) -> QuestionFigures:
    """Return the figures of one question of a stored result, with the count in words."""
    labels = {option["key"]: option["label"] for option in question["options"]}
    figs = BUILDERS[question["method"]](question, labels)
    method = question["method"]
    if method in WORDS:
        figs = replace(figs, words=WORDS[method](question, labels))
    if method == "pb_equal_shares":
        figs = replace(figs, budget=explain_budget(question, labels))
    return figs


def district_label(name: str) -> str:
    """Return how a stored district is shown: the remainder of small ones in the reader's words."""
    if name == REMAINDER:
        return _("Other districts")
    return name or _("(no district)")


def chart_bytes(figs: QuestionFigures, fmt: str) -> bytes:
    """Render a question's chart as "svg" or "png" (PNG at twice the screen resolution)."""
    fig = figs.draw()
    return charts.render_svg(fig) if fmt == "svg" else charts.render_png(fig)


def turnout_figures(consultation: Any, turnout: dict[str, Any]) -> QuestionFigures:
    """Return turnout over time: a chart by period and a table by day (local time).

    A period is an hour, or hours merged until they hold enough ballots (results.cells).
    """
    eligible = turnout["eligible"]
    hours, cumulative, days = [], [], {}
    total = 0
    for item in turnout.get("by_hour", []):
        begin = datetime.strptime(item["hour"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        until = (
            datetime.strptime(item["until"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            if "until" in item
            else begin + timedelta(hours=1)
        )
        # Labelled by its end: this many had voted by then.
        local = until.astimezone(BERLIN)
        total += item["ballots"]
        hours.append(local.strftime("%d.%m. %H:00"))
        cumulative.append(total)
        day = (until - timedelta(hours=1)).astimezone(BERLIN).strftime("%d.%m.%Y")
        days[day] = days.get(day, 0) + item["ballots"]
    summary = _(
        "%(ballots)s of %(eligible)s eligible residents voted (%(percent)s).",
        ballots=fmt_int(turnout["ballots"]),
        eligible=fmt_int(eligible),
        percent=fmt_pct(turnout["ballots"], eligible),
    )
    caption = _(
        "Ballots cast so far (Europe/Berlin); hours with fewer than %(min)s ballots are "
        "shown together",
        min=fmt_int(turnout.get("minimum_cell", 0)),
    )
    table, running = [], 0
    for day, n in days.items():
        running += n
        table.append([day, fmt_int(n), fmt_int(running), fmt_pct(running, eligible)])

    def draw() -> Figure:
        return charts.turnout_chart(
            title=_("Turnout over time: %(title)s", title=consultation.title),
            caption=caption,
            hours=hours,
            cumulative=cumulative,
            locale=locale_code(),
        )

    return QuestionFigures(
        "turnout",
        _("Turnout over time"),
        "turnout",
        summary,
        caption,
        [_("Day"), _("Ballots"), _("So far"), _("Turnout")],
        table,
        draw,
    )
