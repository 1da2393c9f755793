from fractions import Fraction

import pytest

from results.numbers import format_decimal, format_euros, format_int, format_percent


@pytest.mark.parametrize(
    ("n", "locale", "text"),
    [
        (1234567, "de", "1.234.567"),
        (1234567, "en", "1,234,567"),
        (999, "de", "999"),
        (0, "en", "0"),
        (1000, "de_DE", "1.000"),
        (1000, "en-GB", "1,000"),
    ],
)
def test_format_int(n, locale, text):
    assert format_int(n, locale) == text


@pytest.mark.parametrize(
    ("part", "base", "locale", "digits", "text"),
    [
        (456, 1000, "de", 1, "45,6 %"),
        (456, 1000, "en", 1, "45.6%"),
        (2, 3, "de", 1, "66,7 %"),
        (1, 3, "de", 1, "33,3 %"),
        (1, 16, "de", 1, "6,3 %"),  # 6.25: half up, not half to even
        (1, 8, "de", 0, "13 %"),  # 12.5
        (1, 8, "en", 2, "12.50%"),
        (7, 7, "de", 1, "100,0 %"),
        (0, 7, "en", 1, "0.0%"),
        (1, 0, "de", 1, "–"),
        (0, 0, "en", 1, "–"),
    ],
)
def test_format_percent(part, base, locale, digits, text):
    assert format_percent(part, base, locale, digits) == text


def test_format_percent_rounds_half_up_for_large_counts():
    # Exactly 33.335 %: no precision is lost however large the electorate.
    assert format_percent(333_350_000_000_000_000, 1_000_000_000_000_000_000) == "33,3 %"
    assert format_percent(333_350_000_000_000_000, 1_000_000_000_000_000_000, digits=2) == (
        "33,34 %"
    )


def test_unknown_locale_is_refused():
    with pytest.raises(ValueError, match="locale"):
        format_int(1, "fr")


def test_euros_are_whole_without_cents_and_rounded_amounts_keep_theirs():
    assert format_euros(1250) == "1.250 €"
    assert format_euros(Fraction(10, 3)) == "3,33 €"
    assert format_euros(Fraction(11, 2)) == "5,50 €"
    assert format_euros(Fraction(2_999_999, 1000)) == "3.000,00 €"  # rounded, so not "3.000 €"
    assert format_euros(Fraction(1_234_567, 2), "en") == "617,283.50 €"


def test_exact_decimals_round_half_up_and_drop_trailing_zeros():
    assert format_decimal(Fraction(30, 11)) == "2,73"
    assert format_decimal(Fraction(5, 2)) == "2,5"
    assert format_decimal(4) == "4"
    assert format_decimal(Fraction(1, 200)) == "0,01"  # half up
