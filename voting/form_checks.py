"""A choice check for select fields whose message is in the visitor's language."""

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
