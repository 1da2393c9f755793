"""The parameters each counting method takes in a consultation file, checked before use."""

from collections.abc import Mapping, Sequence
from typing import Any

from results.methods.pb_equal_shares import COMPLETIONS
from results.methods.yes_no import QUORUMS

_CHOICES = ("max_choices", "min_choices")
ALLOWED = {
    "yes_no": ("quorum",),
    "single": (),
    "approval": _CHOICES,
    "borda": (),
    "schulze": (),
    "irv": (),
    "stv": ("seats",),
    "majority_judgment": ("grades",),
    "score": ("grades",),
    "pb_greedy": ("budget", "costs", *_CHOICES),
    "pb_equal_shares": ("budget", "costs", "completion", *_CHOICES),
}
REQUIRED = {
    "stv": ("seats",),
    "majority_judgment": ("grades",),
    "score": ("grades",),
    "pb_greedy": ("budget", "costs"),
    "pb_equal_shares": ("budget", "costs"),
}
MAX_GRADES = 10


class ParamError(ValueError):
    """A method parameter that does not fit: where, which rule, and the rule's details.

    ``location`` is the path in the question, e.g. ``("params", "budget")``; ``code``
    names the rule broken (``"positive_amount"``) and ``params`` what a message about it
    needs; ``message`` is the English wording.
    """

    def __init__(self, location: tuple[str, ...], code: str, message: str, **params: Any) -> None:
        super().__init__(f"{'.'.join(location)}: {message}")
        self.location = location
        self.code = code
        self.message = message
        self.params = params


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _range_error(name: str, low: int, high: int) -> ParamError:
    return ParamError(
        ("params", name),
        "whole_number_range",
        f"must be a whole number from {low} to {high}",
        name=name,
        low=low,
        high=high,
    )


def _choice_error(name: str, choices: Sequence[str]) -> ParamError:
    listed = ", ".join(choices)
    return ParamError(
        ("params", name), "not_one_of", f"must be one of {listed}", name=name, choices=listed
    )


def check_params(method: str, options: Sequence[str], params: Mapping[str, Any]) -> None:
    """Raise ParamError naming the first parameter that `method` cannot count with."""
    allowed = ALLOWED.get(method, ())
    for name in params:
        if not allowed:
            raise ParamError(
                ("params", name),
                "no_params",
                f"not a parameter of {method} (known: none)",
                name=name,
                method=method,
            )
        if name not in allowed:
            known = ", ".join(allowed)
            raise ParamError(
                ("params", name),
                "unknown_param",
                f"not a parameter of {method} (known: {known})",
                name=name,
                method=method,
                known=known,
            )
    for name in REQUIRED.get(method, ()):
        if name not in params:
            raise ParamError(
                ("params", name),
                "missing_param",
                f"{method} needs this parameter",
                name=name,
                method=method,
            )
    n = len(options)
    if "quorum" in params and params["quorum"] not in QUORUMS:
        raise _choice_error("quorum", QUORUMS)
    max_choices = params.get("max_choices")
    if max_choices is not None and not (_whole(max_choices) and 1 <= max_choices <= n):
        raise _range_error("max_choices", 1, n)
    min_choices = params.get("min_choices", 1)
    top = max_choices if max_choices is not None else n
    if not (_whole(min_choices) and 1 <= min_choices <= top):
        raise _range_error("min_choices", 1, top)
    seats = params.get("seats", 1)
    if not (_whole(seats) and 1 <= seats < max(n, 2)):
        raise _range_error("seats", 1, n - 1)
    grades = params.get("grades", ["worst", "best"])
    if not (
        isinstance(grades, list)
        and 2 <= len(grades) <= MAX_GRADES
        and all(isinstance(g, str) and g.strip() for g in grades)
        and len(set(grades)) == len(grades)
    ):
        raise ParamError(
            ("params", "grades"),
            "grade_names",
            f"must list 2 to {MAX_GRADES} different grade names, the worst first",
            name="grades",
            low=2,
            high=MAX_GRADES,
        )
    budget = params.get("budget", 1)
    if not (_whole(budget) and budget >= 1):
        raise ParamError(
            ("params", "budget"),
            "positive_amount",
            "must be a positive whole amount",
            name="budget",
        )
    costs = params.get("costs", dict.fromkeys(options, 1))
    if not isinstance(costs, Mapping):
        raise ParamError(
            ("params", "costs"), "costs_not_mapping", "must map every option key to its cost"
        )
    for option in options:
        if option not in costs:
            raise ParamError(
                ("params", "costs", option),
                "option_cost_missing",
                "this option has no cost",
                option=option,
            )
        if not (_whole(costs[option]) and costs[option] >= 1):
            raise ParamError(
                ("params", "costs", option),
                "option_cost_invalid",
                "must be a positive whole amount",
                option=option,
            )
    for option in costs:
        if option not in options:
            raise ParamError(
                ("params", "costs", str(option)),
                "cost_without_option",
                "no option has this key",
                option=option,
            )
    if "completion" in params and params["completion"] not in COMPLETIONS:
        raise _choice_error("completion", COMPLETIONS)
