"""Staff passwords: long, without the user name, not among the common or guessable ones."""

import pytest

from voting.web.passwords import password_problem


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("kurz123", "too_short"),
        ("Passwort12345", "guessable"),
        ("Password2027!", "guessable"),
        ("abcdefghijkl", "guessable"),
        ("hallo1234567", "guessable"),
        ("qwertzuiop123", "guessable"),
        ("iloveyou12345", "guessable"),
        ("123456789012", "guessable"),
        ("meine-redaktion-2027", "contains_name"),
        ("correct horse battery", None),
        ("Xk9#mQ2vLp8wZr", None),
    ],
)
def test_password_rule(password, problem):
    assert password_problem(password, username="Redaktion") == problem
