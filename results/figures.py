"""The figures of one question and the formatting helpers every method's figures share."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from matplotlib.figure import Figure

from results import charts
from results.numbers import format_int, format_percent


@dataclass(frozen=True)
class QuestionFigures:
    """One question's result as words, table and chart, formatted for one language."""

    key: str
    title: str
    method: str
    summary: str  # the outcome in words, shown first
    base_label: str  # what the percentages are of; the chart's caption
    headers: list[str]
    table: list[list[str]]  # rows of formatted cells, the first cell names the row
    draw: Callable[[], Figure] = field(repr=False)
    words: list[str] = field(default_factory=list)  # the count told step by step
    budget: Any = None  # a budget by equal shares: its results.budget_words explanation

    def alt(self) -> str:
        """Return the chart's text alternative: the summary and the table's rows."""
        rows = "; ".join(
            ", ".join(
                f"{h} {c}" if i else c
                for i, (h, c) in enumerate(zip(self.headers, row, strict=False))
            )
            for row in self.table
        )
        return f"{self.title}. {self.summary}. {rows}. {self.base_label}"


def locale_code() -> str:
    """Return the language of the current request ("de" or "en")."""
    return str(get_locale() or "de")[:2]


def fmt_int(n: int) -> str:
    return format_int(n, locale_code())


def fmt_pct(part: int, base: int) -> str:
    return format_percent(part, base, locale_code())


def fmt_money(n: int) -> str:
    return f"{fmt_int(n)} €"


def option_names(labels: dict[str, str], keys: list[str]) -> str:
    return ", ".join(labels[k] for k in keys)


def tie_note(details: dict[str, Any], labels: dict[str, str]) -> str:
    """Say how a tie was settled, if there was one."""
    notes = []
    for lot in details.get("lot", []):
        notes.append(
            _(
                "tie between %(options)s, drawn by lot: %(drawn)s",
                options=option_names(labels, lot["tied"]),
                drawn=labels[lot["drawn"]],
            )
        )
    if "tie" in details:
        notes.append(
            _(
                "tie between %(options)s, not resolved",
                options=option_names(labels, details["tie"]["tied"]),
            )
        )
    return "; ".join(notes)


def with_ties(summary: str, details: dict[str, Any], labels: dict[str, str]) -> str:
    note = tie_note(details, labels)
    return f"{summary} ({note})" if note else summary


def bar_figure(
    question: dict[str, Any],
    labels: list[str],
    counts: list[float],
    base: int,
    base_label: str,
    *,
    sort: bool = True,
    value_labels: list[str] | None = None,
    marked: list[bool] | None = None,
    line: tuple[float, str] | None = None,
) -> Callable[[], Figure]:
    def draw() -> Figure:
        return charts.bar_chart(
            title=question["text"],
            labels=labels,
            counts=counts,
            base=base,
            base_label=base_label,
            locale=locale_code(),
            sort=sort,
            value_labels=value_labels,
            marked=marked,
            line=line,
        )

    return draw


def fmt_points(text: str) -> str:
    """Format a published decimal string ("12.5000") for the page: "12,5"."""
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    whole, _dot, fraction = text.partition(".")
    number = fmt_int(int(whole))
    if not fraction:
        return number
    return number + ("," if locale_code() == "de" else ".") + fraction
