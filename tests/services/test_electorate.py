"""The electorate from the registration office's CSV: pseudonymous, no names kept."""

import io

import pytest
from sqlmodel import select

from results.cells import REMAINDER
from tests.conftest import KNOWN_METHODS, spec_data
from voting.consultations.services import load_consultation, parse_spec
from voting.core.audit import latest_event
from voting.core.codes import normalise_code
from voting.core.lifecycle import ConsultationError
from voting.core.models import Consultation, Voter
from voting.core.pseudonyms import code_hash, person_ref
from voting.electorate.services import ElectorateError, import_electorate, read_register

HEADER = "Ordnungsmerkmal;Vorname;Nachname;Straße;PLZ;Ort;Ortsbezirk;Geburtsdatum\n"


def consultation(session, **overrides):  # type: ignore[no-untyped-def]
    spec = parse_spec(spec_data(**overrides), known_methods=KNOWN_METHODS)
    return load_consultation(session=session, spec=spec, actor="test")[0]


def run_import(session, text, minimum=1, **overrides):  # type: ignore[no-untyped-def]
    letters = []
    report = import_electorate(
        session=session,
        consultation=consultation(session, **overrides),
        rows=read_register(io.StringIO(text)),
        pseudonym_key="key",
        write_letter=letters.append,
        actor="test",
        min_district_voters=minimum,
    )
    return report, letters


def test_voters_are_stored_as_keyed_hashes_with_district_and_birth_year(session):
    text = (
        HEADER + "4711;Erika;Mustermann;Marktstraße 1;67655;Kaiserslautern;Innenstadt;01.02.1980\n"
    )
    report, letters = run_import(session, text)
    assert report.imported == 1
    voter = session.exec(select(Voter)).one()
    assert voter.ref == person_ref("key", "4711") and voter.ref != "4711"
    assert (voter.district, voter.birth_year) == ("Innenstadt", 1980)
    assert voter.code_hash == code_hash("key", normalise_code(letters[0].code))
    stored = " ".join(str(value) for value in voter.model_dump().values())
    for personal in ("Erika", "Mustermann", "Marktstraße", "67655", letters[0].code):
        assert personal not in stored
    assert letters[0].family_name == "Mustermann"


def test_districts_with_too_few_voters_are_stored_as_the_remainder(session):
    lines = [f"{i};A;B;S 1;67655;KL;Nord;01.01.1990\n" for i in range(10)]
    lines += [f"{i};A;B;S 1;67655;KL;{name};01.01.1990\n" for i, name in ((20, "Süd"), (21, "Ost"))]
    report, letters = run_import(session, HEADER + "".join(lines), minimum=10)
    assert report.imported == 12 and report.merged == ["Ost", "Süd"]
    stored = session.exec(select(Voter.district)).all()
    assert sorted(set(stored)) == ["Nord", REMAINDER] and stored.count(REMAINDER) == 2
    # The letter still names the resident's own district; staff learn the merge from the audit.
    assert {letter.district for letter in letters} == {"Nord", "Süd", "Ost"}
    consultation_id = session.exec(select(Consultation.id)).one()
    event = latest_event(
        session=session, consultation_id=consultation_id, action="electorate.imported"
    )
    assert event is not None and event.details["merged_districts"] == ["Ost", "Süd"]


def test_comma_separated_files_and_birth_years_are_read():
    text = (
        "person_id,given_name,family_name,street,postal_code,city,district,birth_year\n"
        "1,A,B,C 1,67655,KL,Nord,1990\n"
    )
    (row,) = read_register(io.StringIO(text))
    assert (row.person_id, row.birth_year, row.birth_date) == ("1", 1990, None)


def test_too_young_and_other_districts_are_excluded(session):
    closes = spec_data()["period"]["closes_at"][:10]
    year, month, day = (int(part) for part in closes.split("-"))
    sixteen_on_closing_day = f"{day:02d}.{month:02d}.{year - 16}"
    text = (
        HEADER
        + "1;A;B;S 1;67655;KL;Innenstadt;01.01.1990\n"
        + f"2;C;D;S 2;67655;KL;Innenstadt;{sixteen_on_closing_day}\n"
        + "3;E;F;S 3;67655;KL;Erfenbach;01.01.1990\n"
    )
    report, letters = run_import(
        session, text, eligibility={"min_age": 16, "districts": ["Innenstadt"]}
    )
    assert report.imported == 2
    assert dict(report.excluded) == {"other_district": 1}
    assert len(letters) == 2


def test_bad_lines_are_all_reported_and_nothing_is_stored(session):
    text = (
        HEADER
        + "1;A;B;S 1;67655;KL;Innenstadt;31.02.1990\n"
        + "2;;D;S 2;67655;KL;Innenstadt;01.01.1990\n"
        + "3;E;F;S 3;67655;KL;Innenstadt;01.01.1990\n"
    )
    with pytest.raises(ElectorateError) as error:
        run_import(session, text)
    assert [line for line, _ in error.value.problems] == [2, 3]
    session.rollback()
    assert session.exec(select(Voter)).all() == []


def test_missing_columns_are_named():
    with pytest.raises(ElectorateError, match="missing columns: .*birth_date or birth_year"):
        list(read_register(io.StringIO("Vorname;Nachname\nA;B\n")))


def test_the_same_person_twice_is_refused(session):
    line = "1;A;B;S 1;67655;KL;Innenstadt;01.01.1990\n"
    with pytest.raises(ElectorateError, match="same person as line 2"):
        run_import(session, HEADER + line + line)


def test_a_second_import_is_refused(session):
    text = HEADER + "1;A;B;S 1;67655;KL;Innenstadt;01.01.1990\n"
    run_import(session, text)
    item = consultation(session)
    with pytest.raises(ConsultationError, match="already has an electorate"):
        import_electorate(
            session=session,
            consultation=item,
            rows=read_register(io.StringIO(text)),
            pseudonym_key="key",
            write_letter=lambda letter: None,
            actor="test",
            min_district_voters=1,
        )
