"""Result charts as PNG or SVG bytes, drawn on a bare Figure (pyplot keeps global state)."""

import textwrap
from collections.abc import Sequence
from io import BytesIO

import matplotlib
from matplotlib.figure import Figure

from results.numbers import format_int, format_percent

COLOUR = "#0072B2"  # Okabe–Ito blue; one colour for all bars, so colour carries no meaning
LABEL_CHARS = 28  # option labels wrap at this width to leave the bars most of the figure
WIDTH_IN = 8

_STYLE = {
    # Shipped with matplotlib, so the chart looks the same on every machine.
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 10,
    # Text stays text in SVG (searchable, readable by screen readers, smaller files).
    "svg.fonttype": "none",
    # A fixed salt makes SVG element ids, and so the whole file, the same on every render.
    "svg.hashsalt": "buergervotum",
}


def _rows(labels: Sequence[str], counts: Sequence[int], sort: bool) -> list[tuple[str, int]]:
    rows = list(zip(labels, counts, strict=True))
    # sorted() is stable: equal counts keep the order they were given in.
    return sorted(rows, key=lambda row: -row[1]) if sort else rows


def _number(count: int, base: int, locale: str) -> str:
    return f"{format_int(count, locale)} · {format_percent(count, base, locale)}"


def bar_chart(
    *,
    title: str,
    labels: Sequence[str],
    counts: Sequence[int],
    base: int,
    base_label: str,
    locale: str = "de",
    sort: bool = True,
) -> Figure:
    """Draw counts as labelled horizontal bars, the largest on top when `sort`."""
    rows = _rows(labels, counts, sort)
    names = [textwrap.fill(label, LABEL_CHARS) for label, _ in rows]
    values = [count for _, count in rows]
    lines = max((name.count("\n") + 1 for name in names), default=1)
    height_in = 1.4 + len(rows) * (0.25 + 0.2 * lines)

    # Fonts are fixed when text is created, so the style must be active while drawing.
    with matplotlib.rc_context(_STYLE):
        fig = Figure(figsize=(WIDTH_IN, height_in), layout="constrained")
        ax = fig.add_subplot()
        bars = ax.barh(range(len(rows)), values, color=COLOUR, height=0.6)
        ax.set_yticks(range(len(rows)), names)
        ax.invert_yaxis()  # first row on top
        ax.bar_label(bars, [_number(n, base, locale) for n in values], padding=4)
        # The longest bar takes 62 % of the width, leaving room for its label on the right.
        top = max(values, default=0)
        ax.set_xlim(0, top / 0.62 if top else 1)
        ax.set_xticks([])
        ax.tick_params(axis="y", length=0)
        # Without x ticks the bottom spine is a bare line; the direct labels carry the numbers.
        ax.spines[["top", "right", "bottom"]].set_visible(False)
        # Title and caption start at the figure's edge, so they may span the label column too.
        fig.suptitle(
            textwrap.fill(title, 70), x=0.01, ha="left", fontsize="large", fontweight="bold"
        )
        fig.supxlabel(textwrap.fill(base_label, 90), x=0.01, ha="left", fontsize="medium")
    return fig


def _render(fig: Figure, **savefig: object) -> bytes:
    buffer = BytesIO()
    with matplotlib.rc_context(_STYLE):
        fig.savefig(buffer, **savefig)
    return buffer.getvalue()


def render_svg(fig: Figure) -> bytes:
    """Render `fig` as SVG that is byte-identical on every call."""
    return _render(fig, format="svg", metadata={"Date": None})


def render_png(fig: Figure, *, dpi: int = 200) -> bytes:
    """Render `fig` as PNG that is byte-identical on every call."""
    return _render(fig, format="png", dpi=dpi, metadata={"Software": None})


def alt_text(
    *,
    title: str,
    labels: Sequence[str],
    counts: Sequence[int],
    base: int,
    locale: str = "de",
    sort: bool = True,
) -> str:
    """Describe the chart's numbers in one line of text, in the chart's order."""
    items = ", ".join(
        f"{label} {format_int(n, locale)} ({format_percent(n, base, locale)})"
        for label, n in _rows(labels, counts, sort)
    )
    return f"{title}: {items}"
