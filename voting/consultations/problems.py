"""A consultation definition's problems as values: where each is, what kind, its details."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from voting.core.lifecycle import ConsultationError

Location = tuple[str | int, ...]


@dataclass(frozen=True)
class SpecProblem:
    """One problem of a definition, e.g. ``("questions", 0, "method")``, ``"unknown_method"``.

    ``code`` is one of our rules (``"closes_before_opens"``) or pydantic's error type
    (``"string_too_short"``); ``params`` are the details its message needs. ``message``
    is the English wording for the command line and logs; the editor words each
    code itself, in the visitor's language.
    """

    location: Location
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)
    message: str = ""

    @property
    def path(self) -> str:
        """Return the location written with dots, e.g. ``questions.0.method``."""
        return ".".join(str(part) for part in self.location)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.location else self.message


class SpecError(ConsultationError):
    """A definition that cannot be used; ``problems`` lists every problem found."""

    def __init__(self, problems: Iterable[SpecProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(str(problem) for problem in self.problems))

    @classmethod
    def of(cls, location: Location, code: str, message: str, **params: Any) -> "SpecError":
        """Return the error for a single problem."""
        return cls([SpecProblem(location, code, params, message)])
