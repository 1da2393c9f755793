"""Importing an uploaded register and writing its letters."""

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import astuple
from typing import Any

from sqlmodel import Session

from voting.core.lifecycle import ConsultationError
from voting.core.models import Consultation
from voting.electorate.letters import LetterContext, write_letters
from voting.electorate.preview import scan_register
from voting.electorate.services import ElectorateError, Letter, RegisterRow, import_electorate

Progress = Callable[[str, int, int], None]
# How often to report progress: each report is cheap, but not free.
STEP = 500


def _counted(rows: list[RegisterRow], progress: Progress) -> Iterator[RegisterRow]:
    total = len(rows)
    progress("import", 0, total)
    for done, row in enumerate(rows, start=1):
        if done % STEP == 0 or done == total:
            progress("import", done, total)
        yield row


def store_register(
    *,
    session: Session,
    consultation: Consultation,
    raw: bytes,
    skip_bad_lines: bool,
    pseudonym_key: str,
    actor: str,
    progress: Progress,
    min_district_voters: int,
) -> tuple[dict[str, Any], list[Letter]]:
    """Store the electorate of ``raw`` (flushed, not committed); return the report and letters.

    A file with bad lines is refused unless ``skip_bad_lines``. The caller keeps the
    letters where they outlive a restart before it commits: once the voters are
    committed, their codes exist nowhere else.
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
        min_district_voters=min_district_voters,
        skipped_lines=len(scan.problems),
    )
    result = {
        "imported": report.imported,
        "excluded": dict(report.excluded),
        "skipped_lines": len(scan.problems),
        "merged_districts": report.merged,
        "letters": len(letters),
    }
    return result, letters


def dump_letters(letters: Iterable[Letter]) -> bytes:
    """Encode letters as JSON, to be written again after a restart."""
    return json.dumps([astuple(letter) for letter in letters], ensure_ascii=False).encode()


def load_letters(data: bytes) -> list[Letter]:
    """Decode letters encoded by dump_letters."""
    return [Letter(*fields) for fields in json.loads(data)]


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
    if progress is not None:
        progress("letters", 0, total)

    def step(done: int) -> None:
        if progress is not None and (done % STEP == 0 or done == total):
            progress("letters", done, total)

    return write_letters(letters, context, fmt, progress=step)
