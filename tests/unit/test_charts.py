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


def every_kind_of_chart() -> list[Figure]:
    from results.charts import budget_chart, heatmap, merit_profile, rounds_chart, turnout_chart

    return [
        rounds_chart(
            title="Stichwahl",
            caption="Stimmen je Runde",
            rounds=[[("Radweg", 6, "6")], [("Radweg", 4, "4"), ("Bus", 3, "3")]],
            round_titles=["Runde 2", "Runde 1"],
        ),
        heatmap(
            title="Paarvergleich",
            caption="Zeile vor Spalte",
            labels=["A", "B"],
            matrix=[[0, 7], [3, 0]],
            locale="de",
        ),
        merit_profile(
            title="Bewertung",
            caption="Anteile",
            labels=["A", "B"],
            profiles=[[1, 2, 3], [3, 2, 1]],
            grades=["schlecht", "gut", "sehr gut"],
        ),
        budget_chart(
            title="Bürgerhaushalt",
            caption="Gefördert: 1 von 2",
            labels=["Park", "Bad"],
            value_labels=["5 · 600 €", "3 · 900 €"],
            votes=[5, 3],
            costs=[600, 900],
            funded=[True, False],
            budget=1000,
            budget_label="Budget 1.000 €",
        ),
        turnout_chart(
            title="Beteiligung",
            caption="stündlich",
            hours=["01.03. 08:00", "01.03. 09:00"],
            cumulative=[1200, 2500],
            locale="de",
        ),
    ]


def test_every_kind_of_chart_renders_the_same_bytes_with_text_kept_as_text():
    first, second = every_kind_of_chart(), every_kind_of_chart()
    for a, b in zip(first, second, strict=True):
        assert render_svg(a) == render_svg(b)
        assert render_png(a, dpi=60) == render_png(b, dpi=60)
    svgs = [render_svg(fig).decode() for fig in first]
    assert ">Runde 2<" in svgs[0] and ">7<" in svgs[1] and ">sehr gut<" in svgs[2]
    assert ">Budget 1.000 €<" in svgs[3] and ">2.500<" in svgs[4]
