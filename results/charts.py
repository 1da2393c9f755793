"""Result charts as PNG or SVG bytes, drawn on a bare Figure (pyplot keeps global state)."""

import textwrap
from collections.abc import Sequence
from io import BytesIO
from typing import TYPE_CHECKING, Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from results.numbers import format_int, format_percent

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

COLOUR = "#0072B2"  # Okabe–Ito blue; one colour for all bars, so colour carries no meaning
# Okabe–Ito orange and sky blue: told apart by people with any common colour-vision deficiency;
# marked bars are hatched as well, so the colour is never the only cue.
MARKED = "#E69F00"
LINE = "#000000"
LABEL_CHARS = 28  # option labels wrap at this width to leave the bars most of the figure
WIDTH_IN = 8

_STYLE: "dict[RcKeyType, Any]" = {
    # Shipped with matplotlib, so the chart looks the same on every machine.
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 10,
    # Text stays text in SVG (searchable, readable by screen readers, smaller files).
    "svg.fonttype": "none",
    # A fixed salt makes SVG element ids, and so the whole file, the same on every render.
    "svg.hashsalt": "buergervotum",
}


def _order(counts: Sequence[float], sort: bool) -> list[int]:
    indices = list(range(len(counts)))
    # sorted() is stable: equal counts keep the order they were given in.
    return sorted(indices, key=lambda i: -counts[i]) if sort else indices


def _finish_bars(ax: Axes, top: float) -> None:
    """Leave room for the bars' labels and drop what the direct labels make redundant."""
    # The longest bar takes 62 % of the width, leaving room for its label on the right.
    ax.set_xlim(0, top / 0.62 if top else 1)
    ax.set_xticks([])
    ax.tick_params(axis="y", length=0)
    # Without x ticks the bottom spine is a bare line; the direct labels carry the numbers.
    ax.spines[["top", "right", "bottom"]].set_visible(False)


def _number(count: int, base: int, locale: str) -> str:
    return f"{format_int(count, locale)} · {format_percent(count, base, locale)}"


def bar_chart(
    *,
    title: str,
    labels: Sequence[str],
    counts: Sequence[float],
    base: int,
    base_label: str,
    locale: str = "de",
    sort: bool = True,
    value_labels: Sequence[str] | None = None,
    marked: Sequence[bool] | None = None,
    line: tuple[float, str] | None = None,
) -> Figure:
    """Draw counts as labelled horizontal bars, the largest on top when `sort`.

    `value_labels` replace "count · percent" at the bars' ends; `marked` bars are drawn
    hatched in a second colour; `line` draws a labelled reference line at a count.
    """
    order = _order(counts, sort)
    names = [textwrap.fill(labels[i], LABEL_CHARS) for i in order]
    values = [counts[i] for i in order]
    texts = (
        [value_labels[i] for i in order]
        if value_labels is not None
        else [_number(int(counts[i]), base, locale) for i in order]
    )
    marks = [bool(marked[i]) for i in order] if marked is not None else [False] * len(order)
    lines = max((name.count("\n") + 1 for name in names), default=1)
    height_in = 1.4 + len(order) * (0.25 + 0.2 * lines)

    # Fonts are fixed when text is created, so the style must be active while drawing.
    with matplotlib.rc_context(_STYLE):
        fig = _figure(title, base_label, height_in)
        ax = fig.add_subplot()
        bars = ax.barh(
            range(len(order)),
            values,
            color=[MARKED if m else COLOUR for m in marks],
            hatch=["//" if m else "" for m in marks],
            edgecolor="#ffffff",
            height=0.6,
        )
        ax.set_yticks(range(len(order)), names)
        ax.invert_yaxis()  # first row on top
        ax.bar_label(bars, texts, padding=4)
        if line is not None:
            ax.axvline(line[0], color=LINE, linestyle="--", linewidth=1.2)
            ax.text(line[0], -0.6, line[1], ha="center", va="bottom", fontsize="small")
        _finish_bars(ax, max([*values, line[0] if line else 0], default=0))
    return fig


def _render(fig: Figure, **savefig: Any) -> bytes:
    buffer = BytesIO()
    with matplotlib.rc_context(_STYLE):
        fig.savefig(buffer, **savefig)
    return buffer.getvalue()


def render_svg(fig: Figure) -> bytes:
    """Render `fig` as SVG that is byte-identical on every call."""
    return _render(fig, format="svg", metadata={"Date": None, "Creator": None})


def render_png(fig: Figure, *, dpi: int = 200) -> bytes:
    """Render `fig` as PNG that is byte-identical on every call."""
    return _render(fig, format="png", dpi=dpi, metadata={"Software": None})


def alt_text(
    *,
    title: str,
    labels: Sequence[str],
    counts: Sequence[float],
    base: int,
    locale: str = "de",
    sort: bool = True,
) -> str:
    """Describe the chart's numbers in one line of text, in the chart's order."""
    items = ", ".join(
        f"{label} {format_int(int(n), locale)} ({format_percent(int(n), base, locale)})"
        for label, n in ((labels[i], counts[i]) for i in _order(counts, sort))
    )
    return f"{title}: {items}"


def _figure(title: str, caption: str, height_in: float) -> Figure:
    fig = Figure(figsize=(WIDTH_IN, height_in), layout="constrained")
    # Title and caption start at the figure's edge, so they may span the label column too.
    fig.suptitle(textwrap.fill(title, 70), x=0.01, ha="left", fontsize="large", fontweight="bold")
    fig.supxlabel(textwrap.fill(caption, 90), x=0.01, ha="left", fontsize="medium")
    return fig


def rounds_chart(
    *,
    title: str,
    caption: str,
    rounds: Sequence[Sequence[tuple[str, int, str]]],
    round_titles: Sequence[str],
) -> Figure:
    """Draw one bar panel per counting round, given final round first: (label, votes, text)."""
    height_in = 1.2 + sum(0.45 + 0.32 * len(r) for r in rounds)
    with matplotlib.rc_context(_STYLE):
        fig = _figure(title, caption, height_in)
        axes = fig.subplots(
            len(rounds), 1, squeeze=False, height_ratios=[max(len(r), 1) for r in rounds]
        )
        top = max((votes for r in rounds for _, votes, _ in r), default=0)
        for ax, rows, name in zip(axes[:, 0], rounds, round_titles, strict=True):
            bars = ax.barh(range(len(rows)), [v for _, v, _ in rows], color=COLOUR, height=0.6)
            ax.set_yticks(range(len(rows)), [textwrap.fill(n, LABEL_CHARS) for n, _, _ in rows])
            ax.invert_yaxis()
            ax.bar_label(bars, [text for _, _, text in rows], padding=4)
            _finish_bars(ax, top)
            ax.set_title(name, loc="left", fontsize="medium", fontweight="bold")
    return fig


def heatmap(
    *, title: str, caption: str, labels: Sequence[str], matrix: Sequence[Sequence[int]], locale: str
) -> Figure:
    """Draw a pairwise matrix with its numbers in the cells: row over column."""
    n = len(labels)
    size = 2.5 + 0.6 * n
    names = [textwrap.fill(label, 18) for label in labels]
    with matplotlib.rc_context(_STYLE):
        fig = _figure(title, caption, size)
        ax = fig.add_subplot()
        # A one-hue sequential map (light to dark blue) reads in grey scale too.
        ax.imshow(matrix, cmap="Blues", aspect="auto")
        peak = max((max(row) for row in matrix), default=0) or 1
        for i in range(n):
            for j in range(n):
                if i == j:
                    ax.text(j, i, "–", ha="center", va="center")
                    continue
                value = matrix[i][j]
                # Dark text on light cells, white on dark ones: contrast either way.
                colour = "#ffffff" if value > 0.6 * peak else "#000000"
                weight = "bold" if value > matrix[j][i] else "normal"
                ax.text(
                    j,
                    i,
                    format_int(value, locale),
                    ha="center",
                    va="center",
                    color=colour,
                    fontweight=weight,
                    fontsize="small",
                )
        ax.set_xticks(range(n), names, rotation=30, ha="right")
        ax.set_yticks(range(n), names)
        ax.tick_params(length=0)
    return fig


def merit_profile(
    *,
    title: str,
    caption: str,
    labels: Sequence[str],
    profiles: Sequence[Sequence[int]],
    grades: Sequence[str],
) -> Figure:
    """Draw each option's grades as a 100 % bar, worst grade left, with the median line."""
    height_in = 2.0 + 0.45 * len(labels)
    # Okabe–Ito orange to blue, hatched alternately so neighbouring grades differ in pattern.
    colours = ["#D55E00", "#E69F00", "#F0E442", "#CCCCCC", "#56B4E9", "#0072B2", "#009E73"]
    with matplotlib.rc_context(_STYLE):
        fig = _figure(title, caption, height_in)
        ax = fig.add_subplot()
        for row, counts in enumerate(profiles):
            total = sum(counts) or 1
            left = 0.0
            for grade, n in enumerate(counts):
                width = n / total
                ax.barh(
                    row,
                    width,
                    left=left,
                    height=0.6,
                    color=colours[grade * len(colours) // len(counts)],
                    hatch="" if grade % 2 else "..",
                    edgecolor="#ffffff",
                    label=grades[grade] if row == 0 else None,
                )
                left += width
        ax.axvline(0.5, color=LINE, linewidth=1.2)
        ax.set_yticks(range(len(labels)), [textwrap.fill(n, LABEL_CHARS) for n in labels])
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xticks([0, 0.5, 1], ["0 %", "50 %", "100 %"])
        ax.tick_params(axis="y", length=0)
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, -0.12),
            ncols=min(len(grades), 4),
            frameon=False,
            fontsize="small",
        )
    return fig


def turnout_chart(
    *, title: str, caption: str, hours: Sequence[str], cumulative: Sequence[int], locale: str
) -> Figure:
    """Draw cumulative ballots over time, one step per hour, the last value labelled."""
    with matplotlib.rc_context(_STYLE):
        fig = _figure(title, caption, 3.6)
        ax = fig.add_subplot()
        xs = list(range(len(cumulative)))
        ax.step(xs, cumulative, where="post", color=COLOUR, linewidth=2)
        if cumulative:
            ax.annotate(
                format_int(cumulative[-1], locale),
                (xs[-1], cumulative[-1]),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
            )
            ticks = sorted({0, len(xs) // 2, len(xs) - 1})
            ax.set_xticks(ticks, [hours[i] for i in ticks])
        ax.yaxis.set_major_formatter(lambda value, _pos: format_int(int(value), locale))
        ax.set_ylim(bottom=0)
        ax.spines[["top", "right"]].set_visible(False)
    return fig


def budget_chart(
    *,
    title: str,
    caption: str,
    labels: Sequence[str],
    value_labels: Sequence[str],
    votes: Sequence[int],
    costs: Sequence[int],
    funded: Sequence[bool],
    budget: int,
    budget_label: str,
) -> Figure:
    """Draw the funded projects' costs filling the budget, above each project's votes."""
    order = sorted(range(len(labels)), key=lambda i: (not funded[i], -votes[i]))
    height_in = 2.6 + len(order) * 0.45
    with matplotlib.rc_context(_STYLE):
        fig = _figure(title, caption, height_in)
        top, bottom = fig.subplots(2, 1, height_ratios=[1, max(len(order), 1)])
        left = 0
        for n, i in enumerate(i for i in order if funded[i]):
            # Alternating hatches tell neighbouring projects apart without colour.
            top.barh(
                0,
                costs[i],
                left=left,
                height=0.6,
                color=MARKED,
                hatch="//" if n % 2 else "\\\\",
                edgecolor="#ffffff",
            )
            left += costs[i]
        top.barh(0, max(budget - left, 0), left=left, height=0.6, color="#EEEEEE")
        top.axvline(budget, color=LINE, linestyle="--", linewidth=1.2)
        top.set_xlim(0, max(budget, left) * 1.02)
        top.set_yticks([0], [budget_label])
        top.set_xticks([])
        top.tick_params(axis="y", length=0)
        top.spines[["top", "right", "bottom", "left"]].set_visible(False)
        bars = bottom.barh(
            range(len(order)),
            [votes[i] for i in order],
            color=[MARKED if funded[i] else COLOUR for i in order],
            hatch=["//" if funded[i] else "" for i in order],
            edgecolor="#ffffff",
            height=0.6,
        )
        bottom.set_yticks(range(len(order)), [textwrap.fill(labels[i], LABEL_CHARS) for i in order])
        bottom.invert_yaxis()
        bottom.bar_label(bars, [value_labels[i] for i in order], padding=4)
        _finish_bars(bottom, max(votes, default=0))
    return fig
