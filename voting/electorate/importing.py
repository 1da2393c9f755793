"""Importing an uploaded register and writing its letters in one pass, names kept in memory only."""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from voting.core.lifecycle import ConsultationError
from voting.core.models import Consultation
from voting.electorate.letters import LetterContext, letters_format, write_letters
from voting.electorate.preview import scan_register
from voting.electorate.services import ElectorateError, Letter, RegisterRow, import_electorate

Progress = Callable[[str, int, int], None]
# How often to report progress: each report is cheap, but not free.
STEP = 500


@dataclass(frozen=True)
class LettersFile:
    """The letters of an import, ready to hand out once."""

    data: bytes
    fmt: str
    count: int


def _counted(rows: list[RegisterRow], progress: Progress) -> Iterator[RegisterRow]:
    total = len(rows)
    for done, row in enumerate(rows, start=1):
        if done % STEP == 0 or done == total:
            progress("import", done, total)
        yield row


def import_with_letters(
    *,
    session: Session,
    consultation: Consultation,
    raw: bytes,
    skip_bad_lines: bool,
    fmt: str,
    pseudonym_key: str,
    public_url: str,
    sender: str,
    actor: str,
    progress: Progress,
) -> tuple[dict[str, Any], LettersFile]:
    """Store the electorate of ``raw`` (committed), then write its letters; return both.

    A file with bad lines is refused unless ``skip_bad_lines``. The voters are
    committed before the letters are written, so the write lock is not held while
    the print file grows; should writing fail, the electorate can be deleted and
    imported again before the consultation opens.
    """
    scan = scan_register(raw)
    if scan.is_unusable or (scan.problems and not skip_bad_lines):
        # Codes only: the job keeps this message, and a line's values may be personal data.
        raise ElectorateError([(line, problem.code) for line, problem in scan.problems])
    if not scan.rows:
        raise ConsultationError("the file lists nobody")
    letters: list[Letter] = []
    report = import_electorate(
        session=session,
        consultation=consultation,
        rows=_counted(scan.rows, progress),
        pseudonym_key=pseudonym_key,
        write_letter=letters.append,
        actor=actor,
        skipped_lines=len(scan.problems),
    )
    session.commit()
    fmt = letters_format(fmt, len(letters))
    data = letters_file(letters, consultation, fmt, public_url, sender, progress)
    result = {
        "imported": report.imported,
        "excluded": dict(report.excluded),
        "skipped_lines": len(scan.problems),
        "letters": len(letters),
        "format": fmt,
    }
    return result, LettersFile(data, fmt, len(letters))


def letters_file(
    letters: Iterable[Letter],
    consultation: Consultation,
    fmt: str,
    public_url: str,
    sender: str,
    progress: Progress | None = None,
) -> bytes:
    """Write the letters of a consultation as PDF or CSV."""
    letters = list(letters)
    context = LetterContext(
        title=consultation.title,
        slug=consultation.slug,
        opens_at=consultation.opens_at,
        closes_at=consultation.closes_at,
        public_url=public_url,
        sender=sender,
    )
    total = len(letters)

    def step(done: int) -> None:
        if progress is not None and (done % STEP == 0 or done == total):
            progress("letters", done, total)

    return write_letters(letters, context, fmt, progress=step)
