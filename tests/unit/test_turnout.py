"""Small cells of turnout are suppressed so that no one's participation can be read off."""

from results.turnout import age_band, suppress


def cells(*ballots: int) -> list[dict]:
    return [{"district": f"d{i}", "eligible": 100, "ballots": n} for i, n in enumerate(ballots)]


def test_cells_below_the_minimum_show_no_number():
    shown = suppress(cells(40, 3, 5, 12), 10)
    assert [c["ballots"] for c in shown] == [40, None, None, 12]
    assert [c["suppressed"] for c in shown] == [False, True, True, False]


def test_a_lone_small_cell_takes_the_next_smallest_with_it():
    # Otherwise the total minus the shown cells would give the hidden one away.
    shown = suppress(cells(40, 3, 25, 12), 10)
    assert [c["ballots"] for c in shown] == [40, None, 25, None]


def test_nothing_is_suppressed_when_every_cell_is_large_enough():
    assert [c["ballots"] for c in suppress(cells(10, 11), 10)] == [10, 11]


def test_age_bands_start_at_the_minimum_age():
    assert [age_band(a, 16) for a in (16, 17, 18, 30, 74, 90)] == [
        "16–17",
        "16–17",
        "18–24",
        "25–34",
        "65–74",
        "75+",
    ]
    assert age_band(18, 18) == "18–24"
