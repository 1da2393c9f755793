from matplotlib.figure import Figure

from results.charts import alt_text, bar_chart, render_png, render_svg

LABELS = ["Ja", "Nein", "Enthaltung"]
COUNTS = [456, 1234, 10]
BASE = 1700


def chart(**overrides) -> Figure:
    arguments = dict(
        title="Radweg an der Hauptstraße",
        labels=LABELS,
        counts=COUNTS,
        base=BASE,
        base_label="Prozent der gültigen Stimmen (1.700)",
    )
    return bar_chart(**(arguments | overrides))


def bar_order(fig: Figure) -> list[str]:
    """Return the option labels from the top bar down."""
    (ax,) = fig.axes
    ticks = sorted(zip(ax.get_yticks(), ax.get_yticklabels(), strict=True), key=lambda t: t[0])
    # The y axis is inverted: the smallest position is drawn on top.
    top_down = ticks if ax.yaxis_inverted() else ticks[::-1]
    return [label.get_text() for _, label in top_down]


def test_svg_keeps_labels_title_caption_and_numbers_as_text():
    svg = render_svg(chart()).decode()
    for text in [
        "Radweg an der Hauptstraße",
        "Prozent der gültigen Stimmen (1.700)",
        ">Ja<",
        ">Nein<",
        ">Enthaltung<",
        "1.234 · 72,6 %",
        "456 · 26,8 %",
        "10 · 0,6 %",
    ]:
        assert text in svg


def test_english_chart_uses_english_numbers():
    svg = render_svg(chart(locale="en", base_label="Percent of valid votes")).decode()
    assert "1,234 · 72.6%" in svg


def test_bars_are_sorted_largest_on_top_unless_asked_not_to():
    assert bar_order(chart()) == ["Nein", "Ja", "Enthaltung"]
    assert bar_order(chart(sort=False)) == LABELS


def test_long_labels_are_wrapped():
    long = "Ja, vollständig autofrei mit Lieferverkehr bis zehn Uhr morgens"
    fig = chart(labels=[long, "Nein", "Enthaltung"])
    assert all(len(line) <= 28 for label in bar_order(fig) for line in label.splitlines())
    assert fig.get_figheight() > chart().get_figheight()


def test_more_options_make_a_taller_chart():
    many = chart(labels=[f"Option {i}" for i in range(10)], counts=list(range(10)), base=45)
    assert many.get_figheight() > chart().get_figheight()


def test_svg_and_png_are_byte_identical_across_renders():
    first, second = chart(), chart()
    assert render_svg(first) == render_svg(first) == render_svg(second)
    assert render_png(first) == render_png(first) == render_png(second)


def test_renders_carry_no_date_or_software_stamp():
    assert b"<dc:date>" not in render_svg(chart())
    assert b"Software" not in render_png(chart())


def test_png_is_a_png():
    assert render_png(chart(), dpi=50).startswith(b"\x89PNG\r\n\x1a\n")


def test_chart_without_votes_renders():
    fig = chart(counts=[0, 0, 0], base=0)
    assert "0 · –" in render_svg(fig).decode()


def test_alt_text_lists_the_numbers_of_the_chart_in_its_order():
    text = alt_text(title="Radweg", labels=LABELS, counts=COUNTS, base=BASE)
    assert text == "Radweg: Nein 1.234 (72,6 %), Ja 456 (26,8 %), Enthaltung 10 (0,6 %)"


def test_alt_text_in_english_and_given_order():
    text = alt_text(
        title="Bike lane", labels=LABELS, counts=COUNTS, base=BASE, locale="en", sort=False
    )
    assert text == "Bike lane: Ja 456 (26.8%), Nein 1,234 (72.6%), Enthaltung 10 (0.6%)"
