"""Importing the electorate from the registration office's CSV export.

Per voter only a keyed hash of the person id, the district and the birth year
are stored. Names and addresses pass through to the letters for the print shop
and are never stored. A district with fewer eligible voters than the minimum cell
is stored as the remainder of small districts (results.cells), in the import's own
transaction: a ballot, a paper count or a published figure never names it.
"""

import csv
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import TextIO

from sqlalchemy import insert, update
from sqlmodel import Session

from ballots.signed_steps import Signing, take_step
from results.cells import REMAINDER, merged_districts
from voting.core.audit import record_event
from voting.core.codes import generate_code, normalise_code
from voting.core.lifecycle import BERLIN, ConsultationError, electorate_size
from voting.core.models import Consultation, Status, Voter, utcnow
from voting.core.pseudonyms import code_hash, person_ref

# Column names as registration offices export them, German first.
COLUMNS = {
    "person_id": ("ordnungsmerkmal", "personen_id", "person_id", "id"),
    "given_name": ("vorname", "vornamen", "given_name", "first_name"),
    "family_name": ("nachname", "familienname", "family_name", "last_name"),
    "street": ("strasse", "straße", "anschrift", "street", "address"),
    "postal_code": ("plz", "postleitzahl", "postal_code", "zip"),
    "city": ("ort", "wohnort", "city"),
    "district": ("ortsbezirk", "stadtbezirk", "bezirk", "district"),
    "birth_date": ("geburtsdatum", "birth_date", "date_of_birth"),
    "birth_year": ("geburtsjahr", "birth_year"),
}
BATCH = 5000
REQUIRED = ("person_id", "given_name", "family_name", "street", "postal_code", "city")


class RowProblem(ValueError):
    """Why one line of a register file cannot be read: a code, its values, and English words.

    Codes: "empty" (column), "birth_year", "birth_date" (text), "duplicate" (line),
    "missing_columns" (columns), "empty_file".
    """

    def __init__(self, code: str, message: str, **values: str | int) -> None:
        super().__init__(message)
        self.code = code
        self.values = values


class ElectorateError(ValueError):
    """A file that cannot be imported; ``problems`` lists (line number, reason)."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        super().__init__("; ".join(f"line {line}: {reason}" for line, reason in problems[:20]))
        self.problems = problems


@dataclass(frozen=True)
class RegisterRow:
    """One person from the register, as read from the file."""

    line: int
    person_id: str
    given_name: str
    family_name: str
    street: str
    postal_code: str
    city: str
    district: str
    birth_date: date | None
    birth_year: int


@dataclass(frozen=True)
class Letter:
    """What the print shop needs for one polling-card letter. Never in the database."""

    given_name: str
    family_name: str
    street: str
    postal_code: str
    city: str
    district: str
    code: str


@dataclass
class ImportReport:
    """How many voters were imported and why the others were left out."""

    imported: int = 0
    excluded: Counter[str] = field(default_factory=Counter)
    # The districts counted together as the remainder, too small on their own.
    merged: list[str] = field(default_factory=list)


def _header_map(header: list[str]) -> dict[str, int]:
    normalised = [name.strip().lower().lstrip("\ufeff") for name in header]
    found = {}
    for column, aliases in COLUMNS.items():
        for alias in aliases:
            if alias in normalised:
                found[column] = normalised.index(alias)
                break
    return found


def read_register(stream: TextIO) -> Iterator[RegisterRow]:
    """Yield the rows of a register export; raise ElectorateError on bad lines.

    Columns are found by their header name; ";" and "," are both accepted.
    """
    problems: list[tuple[int, str]] = []
    for item in scan_lines(stream):
        if isinstance(item, RegisterRow):
            yield item
        else:
            line, problem = item
            if problem.code in ("empty_file", "missing_columns"):
                raise ElectorateError([(line, str(problem))])
            problems.append((line, str(problem)))
    if problems:
        raise ElectorateError(problems)


def scan_lines(stream: TextIO) -> Iterator[RegisterRow | tuple[int, RowProblem]]:
    """Yield each row of a register export, or (line number, problem) for a bad line.

    A file without a usable header yields one problem for line 1 and nothing else.
    """
    sample = stream.read(4096)
    stream.seek(0)
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.reader(stream, delimiter=delimiter)
    header = next(reader, None)
    if header is None:
        yield 1, RowProblem("empty_file", "the file is empty")
        return
    columns = _header_map(header)
    missing = [name for name in REQUIRED if name not in columns]
    if "birth_date" not in columns and "birth_year" not in columns:
        missing.append("birth_date or birth_year")
    if missing:
        names = ", ".join(missing)
        yield 1, RowProblem("missing_columns", f"missing columns: {names}", columns=names)
        return
    for values in reader:
        line = reader.line_num
        if not any(value.strip() for value in values):
            continue
        try:
            yield _parse_row(line, values, columns)
        except RowProblem as problem:
            yield line, problem


def _parse_row(line: int, values: list[str], columns: dict[str, int]) -> RegisterRow:
    def get(name: str) -> str:
        index = columns.get(name)
        return values[index].strip() if index is not None and index < len(values) else ""

    for name in REQUIRED:
        if not get(name):
            raise RowProblem("empty", f"{name} is empty", column=name)
    birth_date = None
    if get("birth_date"):
        birth_date = _parse_date(get("birth_date"))
        birth_year = birth_date.year
    else:
        try:
            birth_year = int(get("birth_year"))
        except ValueError:
            raise RowProblem("birth_year", "birth year is not a number") from None
    return RegisterRow(
        line=line,
        person_id=get("person_id"),
        given_name=get("given_name"),
        family_name=get("family_name"),
        street=get("street"),
        postal_code=get("postal_code"),
        city=get("city"),
        district=get("district"),
        birth_date=birth_date,
        birth_year=birth_year,
    )


def _parse_date(text: str) -> date:
    try:
        if "." in text:  # 24.11.1990
            day, month, year = (int(part) for part in text.split("."))
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError:
        raise RowProblem(
            "birth_date", f"birth date {text!r} is not a date (DD.MM.YYYY or YYYY-MM-DD)", text=text
        ) from None


def age_on(day: date, row: RegisterRow) -> int:
    """Return the age on ``day``; with only a birth year, assume the last day of that year."""
    born = row.birth_date or date(row.birth_year, 12, 31)
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def exclusion_reason(consultation: Consultation, row: RegisterRow) -> str | None:
    """Return why a person may not vote in this consultation, or None."""
    closing_day = consultation.closes_at.astimezone(BERLIN).date()
    if age_on(closing_day, row) < consultation.min_age:
        return "too_young"
    if consultation.districts and row.district not in consultation.districts:
        return "other_district"
    return None


def import_electorate(
    *,
    session: Session,
    consultation: Consultation,
    rows: Iterable[RegisterRow],
    pseudonym_key: str,
    write_letter: Callable[[Letter], None],
    actor: str,
    min_district_voters: int,
    skipped_lines: int = 0,
) -> ImportReport:
    """Store the eligible persons as voters with fresh polling codes, one letter each.

    Districts with fewer than ``min_district_voters`` voters are stored merged into the
    remainder. ``skipped_lines`` is how many bad lines staff chose to leave out; it is
    audited.
    """
    if consultation.status not in (Status.DRAFT, Status.SCHEDULED):
        raise ConsultationError(
            f"the electorate can be imported before opening only; {consultation.slug} is "
            f"{consultation.status}"
        )
    if electorate_size(session=session, consultation_id=consultation.id):
        raise ConsultationError(f"{consultation.slug} already has an electorate")
    report = ImportReport()
    sizes: Counter[str] = Counter()
    seen: dict[str, int] = {}
    # Plain rows in batches: an ORM object per voter would take most of the import's time.
    batch: list[dict[str, object]] = []
    for row in rows:
        ref = person_ref(pseudonym_key, row.person_id)
        if ref in seen:
            raise ElectorateError([(row.line, f"same person as line {seen[ref]}")])
        seen[ref] = row.line
        reason = exclusion_reason(consultation, row)
        if reason:
            report.excluded[reason] += 1
            continue
        code = generate_code()
        batch.append(
            {
                "consultation_id": consultation.id,
                "ref": ref,
                "district": row.district,
                "birth_year": row.birth_year,
                "code_hash": code_hash(pseudonym_key, normalise_code(code)),
            }
        )
        if len(batch) >= BATCH:
            session.execute(insert(Voter), batch)
            batch.clear()
        write_letter(
            Letter(
                given_name=row.given_name,
                family_name=row.family_name,
                street=row.street,
                postal_code=row.postal_code,
                city=row.city,
                district=row.district,
                code=code,
            )
        )
        report.imported += 1
        sizes[row.district] += 1
    if batch:
        session.execute(insert(Voter), batch)
    report.merged = merge_small_districts(
        session=session, consultation_id=consultation.id, sizes=sizes, minimum=min_district_voters
    )
    session.flush()
    record_event(
        session=session,
        actor=actor,
        action="electorate.imported",
        consultation_id=consultation.id,
        imported=report.imported,
        excluded=dict(report.excluded),
        skipped_lines=skipped_lines,
        merged_districts=report.merged,
    )
    return report


def merge_small_districts(
    *, session: Session, consultation_id: int, sizes: Counter[str], minimum: int
) -> list[str]:
    """Store the voters of every district below ``minimum`` under the remainder; return those."""
    small = sorted(name for name, kept in merged_districts(sizes, minimum).items() if kept != name)
    if small:
        # Before the electorate can vote: ballots copy the voter's district as stored.
        session.execute(
            update(Voter)
            .where(Voter.consultation_id == consultation_id, Voter.district.in_(small))
            .values(district=REMAINDER)
        )
    return small


def open_with_electorate(
    *,
    session: Session,
    consultation: Consultation,
    rows: Iterable[RegisterRow],
    pseudonym_key: str,
    write_letter: Callable[[Letter], None],
    actor: str,
    signing: Signing,
    min_district_voters: int | None = None,
) -> ImportReport:
    """Schedule a draft, import its electorate and open it, each step audited and signed."""
    now = utcnow()
    take_step(
        session=session,
        consultation=consultation,
        action="schedule",
        actor=actor,
        signing=signing,
        now=now,
    )
    report = import_electorate(
        session=session,
        consultation=consultation,
        rows=rows,
        pseudonym_key=pseudonym_key,
        write_letter=write_letter,
        actor=actor,
        # The published threshold, unless a caller merges by another (tests keep districts).
        min_district_voters=(
            signing.suppression_threshold if min_district_voters is None else min_district_voters
        ),
    )
    take_step(
        session=session,
        consultation=consultation,
        action="open",
        actor=actor,
        signing=signing,
        now=now,
    )
    return report
