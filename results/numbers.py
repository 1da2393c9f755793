"""Numbers as published: grouped thousands and percentages, the same digits every time."""

from fractions import Fraction

# (thousands separator, decimal mark, text between number and percent sign)
_STYLES = {"de": (".", ",", " "), "en": (",", ".", "")}


def _style(locale: str) -> tuple[str, str, str]:
    language = locale.replace("-", "_").split("_")[0].lower()
    try:
        return _STYLES[language]
    except KeyError:
        raise ValueError(f"no number format for locale {locale!r}") from None


def format_int(n: int, locale: str = "de") -> str:
    """Format `n` with the locale's thousands separator."""
    thousands, _, _ = _style(locale)
    return f"{n:,}".replace(",", thousands)


def format_percent(part: int, base: int, locale: str = "de", digits: int = 1) -> str:
    """Format `part` as a percentage of `base`, rounded half up to `digits` decimals."""
    _, decimal, gap = _style(locale)
    if base == 0:
        return "–"
    if part < 0 or base < 0 or digits < 0:
        raise ValueError("percentages are of non-negative counts with non-negative digits")
    # Integers, not floats: round() on a float rounds half to even and most decimals are
    # inexact, so 12.25 % could print as 12,2 % while the count says 12,3 %.
    scale = 10**digits
    scaled, remainder = divmod(100 * scale * part, base)
    if 2 * remainder >= base:
        scaled += 1
    whole, fraction = divmod(scaled, scale)
    text = format_int(whole, locale)
    if digits:
        text += f"{decimal}{fraction:0{digits}d}"
    return f"{text}{gap}%"


def _round_half_up(value: Fraction, digits: int) -> tuple[int, int]:
    """Return `value` (not negative) rounded half up to `digits` decimals, as (whole, fraction)."""
    if value < 0:
        raise ValueError("only amounts that are not negative are formatted")
    scale = 10**digits
    scaled, remainder = divmod(value.numerator * scale, value.denominator)
    if 2 * remainder >= value.denominator:
        scaled += 1
    whole, fraction = divmod(int(scaled), scale)
    return whole, fraction


def format_decimal(value: Fraction | int, locale: str = "de", digits: int = 2) -> str:
    """Format an exact number rounded half up to at most `digits` decimals: "3,33", "3,5", "4"."""
    _, decimal, _ = _style(locale)
    whole, fraction = _round_half_up(Fraction(value), digits)
    text = format_int(whole, locale)
    shown = f"{fraction:0{digits}d}".rstrip("0") if digits else ""
    return f"{text}{decimal}{shown}" if shown else text


def format_euros(amount: Fraction | int, locale: str = "de") -> str:
    """Format an exact amount of euros: whole euros without cents ("1.250 €"), others to the cent.

    An amount that is not whole keeps its cents even where they round to zero ("3,00 €"), so a
    rounded amount never reads as an exact one.
    """
    _, decimal, _ = _style(locale)
    amount = Fraction(amount)
    if amount.denominator == 1:
        return f"{format_int(int(amount), locale)} €"
    whole, cents = _round_half_up(amount, 2)
    return f"{format_int(whole, locale)}{decimal}{cents:02d} €"
