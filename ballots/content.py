"""What a ballot may contain: one answer per question, checked against its options.

A ballot's content is ``{question key: answer}`` where the answer's shape follows
the question's method; ``None`` means the question was left blank. Every check
of a ballot's shape lives here, for casting and for counting alike. A budget ballot
whose projects cost more than the budget is refused when cast (``build_content``); the
counting rules do not ask it, so a count never fails on a ballot casting let through.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# The ballot shape each counting method reads: "choice" is one option key, "approval" a list of
# keys, "ranking" a list of keys best first (possibly truncated: unranked options come last,
# equal among themselves), "grades" an object option key -> grade, 0 the worst grade of the
# question's scale `params["grades"]` (options left ungraded get the worst grade when counted).
METHOD_SHAPES = {
    "yes_no": "choice",
    "single": "choice",
    "approval": "approval",
    "pb_greedy": "approval",
    "pb_equal_shares": "approval",
    "borda": "ranking",
    "schulze": "ranking",
    "irv": "ranking",
    "stv": "ranking",
    "majority_judgment": "grades",
    "score": "grades",
}


@dataclass(frozen=True)
class BallotQuestion:
    """The part of a question a ballot is checked against."""

    key: str
    method: str
    options: tuple[str, ...]
    params: Mapping[str, Any] = field(default_factory=dict)


class BallotError(ValueError):
    """An answer that does not fit its question.

    ``problem`` is one of "unknown_option", "too_many", "too_few", "duplicate",
    "wrong_type", "unknown_question", "off_scale", "over_budget"; ``limit`` gives the bound
    where one applies (the budget for "over_budget", whose ``total`` is the choice's cost).
    """

    def __init__(
        self, question: str, problem: str, limit: int | None = None, total: int | None = None
    ) -> None:
        self.question = question
        self.problem = problem
        self.limit = limit
        self.total = total
        super().__init__(f"question {question!r}: the answer {self.description}")

    @property
    def description(self) -> str:
        """Say in words what is wrong with the answer."""
        return {
            "unknown_option": "names an option this question does not have",
            "too_many": f"marks more than {self.limit} options",
            "too_few": f"marks fewer than {self.limit} options",
            "duplicate": "marks an option more than once",
            "wrong_type": "has the wrong form for this question",
            "unknown_question": "belongs to a question this ballot does not have",
            "off_scale": f"gives a grade outside the scale 0 to {self.limit}",
            "over_budget": f"chooses projects costing {self.total}, over the budget {self.limit}",
        }[self.problem]


def check_answer(spec: BallotQuestion, answer: Any) -> Any:
    """Return the canonical form of one answer, or raise BallotError."""
    if answer is None or answer == "" or answer == [] or answer == {}:
        return None
    shape = METHOD_SHAPES[spec.method]
    if shape == "grades":
        return _check_grades(spec, answer)
    if shape == "choice":
        if not isinstance(answer, str):
            raise BallotError(spec.key, "wrong_type")
        if answer not in spec.options:
            raise BallotError(spec.key, "unknown_option")
        return answer
    if not isinstance(answer, list | tuple | set | frozenset) or not all(
        isinstance(item, str) for item in answer
    ):
        raise BallotError(spec.key, "wrong_type")
    chosen = set(answer)
    if len(chosen) != len(answer):
        raise BallotError(spec.key, "duplicate")
    if not chosen <= set(spec.options):
        raise BallotError(spec.key, "unknown_option")
    if shape == "ranking":
        if isinstance(answer, set | frozenset):
            raise BallotError(spec.key, "wrong_type")  # a set has no order
        return list(answer)
    max_choices = spec.params.get("max_choices")
    if max_choices is not None and len(chosen) > max_choices:
        raise BallotError(spec.key, "too_many", max_choices)
    min_choices = spec.params.get("min_choices", 1)
    if len(chosen) < min_choices:
        raise BallotError(spec.key, "too_few", min_choices)
    # Ballot order of options, so equal choices always have equal bytes.
    return [option for option in spec.options if option in chosen]


def grade_scale(spec: BallotQuestion) -> int:
    """Return the best grade of a graded question (grades run from 0 to it)."""
    return len(spec.params.get("grades") or ()) - 1


def _check_grades(spec: BallotQuestion, answer: Any) -> dict[str, int] | None:
    if not isinstance(answer, Mapping) or not all(isinstance(k, str) for k in answer):
        raise BallotError(spec.key, "wrong_type")
    if not set(answer) <= set(spec.options):
        raise BallotError(spec.key, "unknown_option")
    best = grade_scale(spec)
    for grade in answer.values():
        # bool is an int in Python, but true/false is no grade.
        if not isinstance(grade, int) or isinstance(grade, bool):
            raise BallotError(spec.key, "wrong_type")
        if not 0 <= grade <= best:
            raise BallotError(spec.key, "off_scale", best)
    # Ballot order of options, so equal grades always have equal bytes.
    return {option: answer[option] for option in spec.options if option in answer} or None


BUDGET_METHODS = ("pb_greedy", "pb_equal_shares")


def check_within_budget(spec: BallotQuestion, answer: Any) -> None:
    """Refuse a checked budget answer whose projects cost more than the budget together."""
    if spec.method not in BUDGET_METHODS or not answer:
        return
    costs, budget = spec.params["costs"], spec.params["budget"]
    total = sum(costs[option] for option in answer)
    if total > budget:
        raise BallotError(spec.key, "over_budget", budget, total)


def build_content(
    questions: Sequence[BallotQuestion], answers: Mapping[str, Any]
) -> dict[str, Any]:
    """Return the ballot content for raw answers; every question appears, blank as None.

    A cast ballot's budget choices must fit their budget (``check_within_budget``).
    """
    unknown = set(answers) - {spec.key for spec in questions}
    if unknown:
        raise BallotError(sorted(unknown)[0], "unknown_question")
    content = {}
    for spec in questions:
        content[spec.key] = answer = check_answer(spec, answers.get(spec.key))
        check_within_budget(spec, answer)
    return content
