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
    """A method parameter that does not fit; `field` names it, e.g. "params.budget"."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_params(method: str, options: Sequence[str], params: Mapping[str, Any]) -> None:
    """Raise ParamError naming the first parameter that `method` cannot count with."""
    allowed = ALLOWED.get(method, ())
    for name in params:
        if name not in allowed:
            known = ", ".join(allowed) or "none"
            raise ParamError(f"params.{name}", f"not a parameter of {method} (known: {known})")
    for name in REQUIRED.get(method, ()):
        if name not in params:
            raise ParamError(f"params.{name}", f"{method} needs this parameter")
    n = len(options)
    if "quorum" in params and params["quorum"] not in QUORUMS:
        raise ParamError("params.quorum", f"must be one of {', '.join(QUORUMS)}")
    max_choices = params.get("max_choices")
    if max_choices is not None and not (_whole(max_choices) and 1 <= max_choices <= n):
        raise ParamError("params.max_choices", f"must be a whole number from 1 to {n}")
    min_choices = params.get("min_choices", 1)
    top = max_choices if max_choices is not None else n
    if not (_whole(min_choices) and 1 <= min_choices <= top):
        raise ParamError("params.min_choices", f"must be a whole number from 1 to {top}")
    seats = params.get("seats", 1)
    if not (_whole(seats) and 1 <= seats < max(n, 2)):
        raise ParamError("params.seats", f"must be a whole number from 1 to {n - 1}")
    grades = params.get("grades", ["worst", "best"])
    if not (
        isinstance(grades, list)
        and 2 <= len(grades) <= MAX_GRADES
        and all(isinstance(g, str) and g.strip() for g in grades)
        and len(set(grades)) == len(grades)
    ):
        raise ParamError(
            "params.grades",
            f"must list 2 to {MAX_GRADES} different grade names, the worst first",
        )
    budget = params.get("budget", 1)
    if not (_whole(budget) and budget >= 1):
        raise ParamError("params.budget", "must be a positive whole amount")
    costs = params.get("costs", dict.fromkeys(options, 1))
    if not isinstance(costs, Mapping):
        raise ParamError("params.costs", "must map every option key to its cost")
    for option in options:
        if option not in costs:
            raise ParamError(f"params.costs.{option}", "this option has no cost")
        if not (_whole(costs[option]) and costs[option] >= 1):
            raise ParamError(f"params.costs.{option}", "must be a positive whole amount")
    for option in costs:
        if option not in options:
            raise ParamError(f"params.costs.{option}", "no option has this key")
    if "completion" in params and params["completion"] not in COMPLETIONS:
        raise ParamError("params.completion", f"must be one of {', '.join(COMPLETIONS)}")
