"""The editor's words for a definition's problems, and the field each is shown beside."""

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from wtforms import Field

from voting.consultations.forms import ConsultationForm
from voting.consultations.problems import Location, SpecProblem

EMPTY = _l("This field must not be empty.")
DATE_AND_TIME = _l("Please enter a date and time.")
WHOLE_NUMBER = _l("Please enter a whole number.")
CHOICE = _l("Please choose one of the values offered.")
# For a kind of problem without words of its own; "field" is always given.
UNKNOWN = _l("The value of %(field)s cannot be used.")

# Each of our rules' message; the problem's details fill in the placeholders.
MESSAGES = {
    # Our rules for a definition (voting.consultations.services).
    "closes_before_opens": _l("Voting must close after it opens."),
    "fixed_options": _l(
        "Yes/no questions have the fixed options yes, no and abstain; "
        "please do not enter options of your own."
    ),
    "too_few_options": _l("A question needs at least two options."),
    "duplicate_option_key": _l(
        "The key %(key)s is used for more than one option of this question."
    ),
    "duplicate_question_key": _l("Another question has the short name %(key)s already."),
    "unknown_method": _l("The counting method %(method)s cannot be used."),
    "definition_frozen": _l(
        "The definition froze when the consultation was announced; it cannot be changed."
    ),
    # Saving a draft (voting.consultations.editing).
    "address_taken": _l("This address is taken already."),
    "address_fixed": _l("The address of a consultation never changes."),
    "electorate_rules": _l(
        "The electorate was imported with these rules; delete it to change them."
    ),
    # The counting methods' parameters (results.methods.params).
    "no_params": _l("This counting method takes no parameters, so %(name)s cannot be used."),
    "unknown_param": _l(
        "%(name)s is not a parameter of this counting method (it takes %(known)s)."
    ),
    "missing_param": _l("This counting method needs the parameter %(name)s."),
    "not_one_of": _l("%(name)s must be one of %(choices)s."),
    "whole_number_range": _l("%(name)s must be a whole number from %(low)s to %(high)s."),
    "grade_names": _l(
        "%(name)s must list %(low)s to %(high)s different grade names, the worst first."
    ),
    "positive_amount": _l("%(name)s must be a positive whole amount."),
    "costs_not_mapping": _l("Every option needs its cost, after the second | of its line."),
    "option_cost_missing": _l("The option %(option)s has no cost."),
    "option_cost_invalid": _l("The cost of the option %(option)s must be a positive whole amount."),
    "cost_without_option": _l("There is a cost for %(option)s, but no option with this key."),
}
# Pydantic's error types: a few messages for the many ways a value can be wrong.
PYDANTIC_MESSAGES = {
    "missing": EMPTY,
    "string_too_short": EMPTY,
    "too_short": _l("At least one entry is needed."),
    "string_too_long": _l("Please enter at most %(max_length)s characters."),
    # Only keys have a pattern: the address and the short names of questions and options.
    "string_pattern_mismatch": _l(
        "Only lower-case letters a–z, digits, - and _ "
        "(at most 40 characters, starting with a letter or digit)."
    ),
    "literal_error": CHOICE,
    "enum": CHOICE,
    "datetime_parsing": DATE_AND_TIME,
    "datetime_from_date_parsing": DATE_AND_TIME,
    "datetime_type": DATE_AND_TIME,
    "int_parsing": WHOLE_NUMBER,
    "int_type": WHOLE_NUMBER,
    "int_from_float": WHOLE_NUMBER,
    "greater_than_equal": _l("The number must be at least %(ge)s."),
    "less_than_equal": _l("The number must be at most %(le)s."),
    "extra_forbidden": _l("%(field)s is not part of a consultation's definition."),
}

# Where each part of the definition is entered in the form; the longer location wins.
_TOP_FIELDS: dict[Location, str] = {
    ("slug",): "slug",
    ("title",): "title",
    ("description",): "description",
    ("summary_easy",): "summary_easy",
    ("kind",): "kind",
    ("period",): "closes_at",
    ("period", "opens_at"): "opens_at",
    ("period", "closes_at"): "closes_at",
    ("eligibility",): "min_age",
    ("eligibility", "min_age"): "min_age",
    ("eligibility", "districts"): "districts",
}
_QUESTION_FIELDS = frozenset({"key", "text", "method", "params", "options"})


def problem_message(problem: SpecProblem) -> str:
    """Return what the editor says about a problem, in the visitor's language."""
    details = {**problem.params, "field": problem.path or "—"}
    try:
        words = MESSAGES.get(problem.code) or PYDANTIC_MESSAGES.get(problem.code, UNKNOWN)
        return str(words) % details
    except (KeyError, TypeError, ValueError):
        # Details that do not fit the words must not cost the page: name the field.
        return str(UNKNOWN) % details


def _field_for(form: ConsultationForm, location: Location, kept: Sequence[int]) -> Field | None:
    if location[:1] == ("questions",):
        index = location[1] if len(location) > 1 else None
        if not isinstance(index, int) or not 0 <= index < len(kept):
            return None
        entry = form.questions[kept[index]].form
        name = location[2] if len(location) > 2 else "text"
        return entry[name] if name in _QUESTION_FIELDS else entry.text
    name = _TOP_FIELDS.get(location[:2]) or _TOP_FIELDS.get(location[:1])
    return form[name] if name else None


def show_spec_errors(
    form: ConsultationForm, problems: Sequence[SpecProblem], kept: Sequence[int]
) -> None:
    """Attach each problem's message to the field its location names, else to the form.

    ``kept`` maps a question's index in the definition to its entry in the form
    (removed questions are not in the definition).
    """
    for problem in problems:
        message = problem_message(problem)
        field = _field_for(form, problem.location, kept)
        if field is not None:
            field.errors = [*field.errors, message]
        elif problem.location:
            form.form_errors.append(f"{problem.path}: {message}")
        else:
            form.form_errors.append(message)
