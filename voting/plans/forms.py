"""The staff form of a planned project; it carries a CSRF token."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from voting.web.form_checks import OfferedChoice


class ProjectForm(FlaskForm):
    """What, when, in which form, which district; and the links."""

    title = StringField(
        _l("Project"),
        validators=[
            DataRequired(message=_l("Please name the project.")),
            Length(max=200, message=_l("The name may have at most 200 characters.")),
        ],
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Length(max=10000, message=_l("The text may have at most 10,000 characters."))],
    )
    district = StringField(
        _l("District (empty: whole city)"),
        validators=[Optional(), Length(max=100, message=_l("At most 100 characters."))],
    )
    timeframe = StringField(
        _l("When (e.g. “spring 2027”)"),
        validators=[
            DataRequired(message=_l("Please say when the participation is planned.")),
            Length(max=100, message=_l("At most 100 characters.")),
        ],
    )
    participation_form = StringField(
        _l("Form of participation (e.g. online survey, workshop)"),
        validators=[
            DataRequired(message=_l("Please say how residents can take part.")),
            Length(max=200, message=_l("At most 200 characters.")),
        ],
    )
    consultations = SelectMultipleField(
        _l("Consultations"),
        validate_choice=False,
        validators=[OfferedChoice(_l("Please choose only among the consultations shown."))],
    )
    proposals = SelectMultipleField(
        _l("Residents' proposals"),
        validate_choice=False,
        validators=[OfferedChoice(_l("Please choose only among the proposals shown."))],
    )
