"""Age bands of turnout, counted from the birth year alone."""

from results.turnout import age_band


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
