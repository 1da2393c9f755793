"""Numbers as published: grouped thousands and percentages, the same digits every time."""

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
