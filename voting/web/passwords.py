"""The password rule for staff accounts: long enough and not among the guessable ones."""

from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn

MIN_LENGTH = 12
# zxcvbn score 3: above 10^8 guesses; its lists hold the 30,000 most common passwords,
# names and words, so "Passwort12345" or "Kaiserslautern2027" score far lower.
MIN_SCORE = 3
MAX_CHECKED = 200  # zxcvbn slows down on very long input; length alone makes those safe

MESSAGES = {
    "too_short": _l("The password needs at least %(num)d characters.", num=MIN_LENGTH),
    "contains_name": _l("The password must not contain the user name."),
    "guessable": _l(
        "This password is too common or too easy to guess. Use several unusual words or a "
        "password manager."
    ),
}
ENGLISH = {
    "too_short": f"the password needs at least {MIN_LENGTH} characters",
    "contains_name": "the password must not contain the user name",
    "guessable": "the password is too common or too easy to guess",
}


def password_problem(password: str, *, username: str = "") -> str | None:
    """Return why ``password`` is refused ("too_short", "contains_name", "guessable"), or None."""
    if len(password) < MIN_LENGTH:
        return "too_short"
    name = username.strip().casefold()
    if name and name in password.casefold():
        return "contains_name"
    checked = password[:MAX_CHECKED]
    if zxcvbn(checked, user_inputs=[name, "buergervotum", "bürgervotum"])["score"] < MIN_SCORE:
        return "guessable"
    return None
