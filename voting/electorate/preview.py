"""Reading an uploaded register file for the preview before anything is stored."""

import hashlib
import io
from collections import Counter
from dataclasses import dataclass, field

from voting.core.models import Consultation
from voting.electorate.services import RegisterRow, RowProblem, exclusion_reason, scan_lines


def decode_register(raw: bytes) -> io.StringIO:
    """Return a register export as text: UTF-8 (with or without BOM), else Windows-1252."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    return io.StringIO(text, newline="")


def file_digest(raw: bytes) -> str:
    """Return the SHA-256 of an upload, to recognise the previewed file at import."""
    return hashlib.sha256(raw).hexdigest()


@dataclass
class RegisterScan:
    """Every readable row of a file and every bad line with its problem."""

    rows: list[RegisterRow] = field(default_factory=list)
    problems: list[tuple[int, RowProblem]] = field(default_factory=list)

    @property
    def is_unusable(self) -> bool:
        """Tell whether the file as a whole cannot be read (empty, columns missing)."""
        return any(p.code in ("empty_file", "missing_columns") for _line, p in self.problems)


def scan_register(raw: bytes) -> RegisterScan:
    """Read a whole upload; a person listed twice is a bad line at the second listing."""
    scan = RegisterScan()
    first_line: dict[str, int] = {}
    for item in scan_lines(decode_register(raw)):
        if isinstance(item, RegisterRow):
            if item.person_id in first_line:
                line = first_line[item.person_id]
                problem = RowProblem("duplicate", f"same person as line {line}", line=line)
                scan.problems.append((item.line, problem))
                continue
            first_line[item.person_id] = item.line
            scan.rows.append(item)
        else:
            scan.problems.append(item)
    return scan


@dataclass(frozen=True)
class Preview:
    """What importing a file would do: how many are eligible, excluded and why, bad lines."""

    eligible: int
    excluded: Counter[str]
    problems: list[tuple[int, RowProblem]]
    digest: str
    unusable: bool


def preview_electorate(consultation: Consultation, raw: bytes) -> Preview:
    """Return the preview of importing ``raw`` into a consultation; stores nothing."""
    scan = scan_register(raw)
    excluded: Counter[str] = Counter()
    eligible = 0
    for row in scan.rows:
        reason = exclusion_reason(consultation, row)
        if reason:
            excluded[reason] += 1
        else:
            eligible += 1
    return Preview(eligible, excluded, scan.problems, file_digest(raw), scan.is_unusable)
