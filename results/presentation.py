"""The figures shown for one question: the chart, its alt text and the table share them."""

from dataclasses import dataclass
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _

from results.charts import alt_text, bar_chart, render_png, render_svg
from results.numbers import format_int, format_percent


@dataclass(frozen=True)
class QuestionFigures:
    """Labels, counts and the percentage base of one question's result."""

    key: str
    title: str
    method: str
    labels: list[str]
    counts: list[int]
    base: int
    base_label: str
    sort: bool
    summary: str

    def rows(self, locale: str) -> list[tuple[str, str, str]]:
        """Return the table rows: label, count and percentage, formatted."""
        return [
            (label, format_int(count, locale), format_percent(count, self.base, locale))
            for label, count in zip(self.labels, self.counts, strict=True)
        ]


def locale_code() -> str:
    """Return the language of the current request ("de" or "en")."""
    return str(get_locale() or "de")[:2]


def figures(question: dict[str, Any]) -> QuestionFigures:
    """Return the figures of one question of a stored result."""
    details = question["details"]
    counts = details["counts"]
    labels = {option["key"]: option["label"] for option in question["options"]}
    method = question["method"]
    if method == "yes_no":
        keys = ["yes", "no"]
        label_text = [_("Yes"), _("No")]
        base = details["valid"]
        base_label = _(
            "Percent of valid yes/no votes (%(base)s); abstentions: %(abstain)s",
            base=format_int(base, locale_code()),
            abstain=format_int(counts["abstain"], locale_code()),
        )
        summary = {
            "accepted": _("Result: yes"),
            "rejected": _("Result: no"),
            "tie": _("Result: tie – the proposal is not accepted"),
            "not_decided": _("Result: not decided – the quorum was not reached"),
        }[details["decision"]]
        return QuestionFigures(
            question["key"],
            question["text"],
            method,
            label_text,
            [counts[k] for k in keys],
            base,
            base_label,
            False,
            summary,
        )
    keys = list(counts)
    if method == "approval":
        base = details["ballots"]
        base_label = _(
            "Percent of ballots that chose at least one option (%(base)s); several choices allowed",
            base=format_int(base, locale_code()),
        )
    else:
        base = details["valid"]
        base_label = _("Percent of valid votes (%(base)s)", base=format_int(base, locale_code()))
    winners = [labels[key] for key in question["winners"]]
    summary = _("Most votes: %(options)s", options=", ".join(winners)) if winners else _("No votes")
    return QuestionFigures(
        question["key"],
        question["text"],
        method,
        [labels[k] for k in keys],
        [counts[k] for k in keys],
        base,
        base_label,
        True,
        summary,
    )


def chart_bytes(figs: QuestionFigures, fmt: str) -> bytes:
    """Render a question's chart as "svg" or "png"."""
    fig = bar_chart(
        title=figs.title,
        labels=figs.labels,
        counts=figs.counts,
        base=figs.base,
        base_label=figs.base_label,
        locale=locale_code(),
        sort=figs.sort,
    )
    return render_svg(fig) if fmt == "svg" else render_png(fig)


def chart_alt(figs: QuestionFigures) -> str:
    """Return the chart's text alternative, from the same numbers."""
    text = alt_text(
        title=figs.title,
        labels=figs.labels,
        counts=figs.counts,
        base=figs.base,
        locale=locale_code(),
        sort=figs.sort,
    )
    return f"{text}. {figs.base_label}"


def inline_svg(svg: bytes) -> str:
    """Return SVG markup for embedding in HTML, without the XML prologue."""
    text = svg.decode("utf-8")
    return text[text.index("<svg") :]
