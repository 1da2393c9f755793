"""Checks on what visitors type, whose messages are in the visitor's language."""

from typing import Any

from wtforms import Field, Form
from wtforms.validators import ValidationError


class OfferedChoice:
    """Accept only values among the field's choices (WTForms' own check speaks English)."""

    def __init__(self, message: Any) -> None:
        self.message = message

    def __call__(self, form: Form, field: Field) -> None:
        offered = {str(choice[0]) for choice in field.choices or []}
        values = field.data if isinstance(field.data, list) else [field.data]
        if any(str(value) not in offered for value in values if value not in (None, "")):
            raise ValidationError(self.message)


class WholeNumberRange:
    """Accept a whole number from ``min`` to ``max``.

    WTForms' NumberRange turns the number into a float first, so a number of a few
    hundred digits raises OverflowError there instead of failing validation.
    """

    def __init__(self, *, min: int, max: int, message: Any) -> None:  # noqa: A002
        self.min = min
        self.max = max
        self.message = message

    def __call__(self, form: Form, field: Field) -> None:
        if field.data is None or not self.min <= field.data <= self.max:
            raise ValidationError(self.message)


def whole_number(text: str, maximum: int) -> int | None:
    """Return ``text`` as a whole number from 0 to ``maximum``; None if it is anything else.

    Measured by its digits before it is converted: Python refuses to convert more than
    4,300 digits, and a visitor may send a million.
    """
    if not text.isascii() or not text.isdigit():
        return None
    digits = text.lstrip("0") or "0"
    if len(digits) > len(str(maximum)) or int(digits) > maximum:
        return None
    return int(digits)
