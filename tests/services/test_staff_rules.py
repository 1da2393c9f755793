"""Four eyes on publication, locked fields in the editor, retention of the electorate."""

from datetime import timedelta

import pytest
from sqlmodel import Session, func, select

from ballots.models import Ballot, Participation
from ballots.receipts import Signer
from results.services import tally_consultation
from tests.conftest import (
    KNOWN_METHODS,
    cast_code,
    close_voting,
    make_open_consultation,
    second_reader,
    spec_data,
)
from voting.consultations.editing import locked_fields, save_draft
from voting.consultations.services import load_consultation, parse_spec
from voting.core.lifecycle import ConsultationError, FourEyesError, transition
from voting.core.models import AuditEvent, Consultation, Voter, utcnow
from voting.electorate.preview import preview_electorate
from voting.electorate.retention import delete_electorate, due_for_deletion

HEADER = "Ordnungsmerkmal;Vorname;Nachname;Straße;PLZ;Ort;Ortsbezirk;Geburtsdatum\n"


def published(session: Session, signer: Signer) -> Consultation:
    opened = make_open_consultation(session, voters=3)
    consultation = session.get(Consultation, opened.id)
    cast_code(session, opened.id, opened.codes[0], signer, {})
    close_voting(session, consultation, "anna")
    second_reader(session, "ben")
    tally_consultation(session=session, consultation=consultation, actor="anna")
    transition(session=session, consultation=consultation, action="publish", actor="ben")
    session.commit()
    return consultation


def count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_whoever_counted_cannot_publish(session):
    consultation = session.get(Consultation, make_open_consultation(session).id)
    close_voting(session, consultation, "anna")
    second_reader(session, "ben")
    tally_consultation(session=session, consultation=consultation, actor="anna")
    with pytest.raises(FourEyesError):
        transition(session=session, consultation=consultation, action="publish", actor="anna")
    assert consultation.status == "tallied"
    transition(session=session, consultation=consultation, action="publish", actor="ben")
    assert consultation.status == "published"


def test_the_electorate_stays_until_the_retention_period_has_passed(session, signer):
    consultation = published(session, signer)
    with pytest.raises(ConsultationError, match="retention period ends"):
        delete_electorate(
            session=session, consultation=consultation, actor="anna", retention_days=30
        )
    assert due_for_deletion(session=session, retention_days=30) == []
    later = utcnow() + timedelta(days=31)
    assert due_for_deletion(session=session, retention_days=30, now=later) == [consultation]
    deletion = delete_electorate(
        session=session, consultation=consultation, actor="anna", retention_days=30, now=later
    )
    session.commit()
    assert (deletion.voters, deletion.marks) == (3, 1)
    assert count(session, Voter) == 0 and count(session, Participation) == 0
    # Ballots and the turnout figures stay.
    assert count(session, Ballot) == 1
    assert (consultation.eligible_count, consultation.voted_count) == (3, 1)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "electorate.deleted")).one()
    assert event.details == {"voters": 3, "marks": 1, "paper_marks": 0} and event.actor == "anna"
    with pytest.raises(ConsultationError, match="deleted already"):
        delete_electorate(
            session=session, consultation=consultation, actor="anna", retention_days=30, now=later
        )


def test_an_open_consultation_keeps_its_electorate(session):
    consultation = session.get(Consultation, make_open_consultation(session).id)
    with pytest.raises(ConsultationError):
        delete_electorate(session=session, consultation=consultation, actor="a", retention_days=0)
    assert count(session, Voter) == 5


def test_editor_locks_eligibility_once_the_electorate_is_imported(session):
    spec = parse_spec(spec_data(), known_methods=KNOWN_METHODS)
    consultation, _ = load_consultation(session=session, spec=spec, actor="test")
    assert locked_fields(session=session, consultation=consultation) == {"slug": "address"}
    session.add(Voter(consultation_id=consultation.id, ref="r", birth_year=1980))
    session.flush()
    locks = locked_fields(session=session, consultation=consultation)
    assert locks["min_age"] == locks["districts"] == locks["closes_at"] == "electorate"
    changed = parse_spec(
        spec_data(eligibility={"min_age": 18, "districts": []}), known_methods=KNOWN_METHODS
    )
    with pytest.raises(ConsultationError, match="eligibility"):
        save_draft(session=session, spec=changed, actor="test", slug="stadtpark")
    retitled = parse_spec(spec_data(title="Neu"), known_methods=KNOWN_METHODS)
    retitled.period = consultation_period(consultation)
    assert save_draft(session=session, spec=retitled, actor="t", slug="stadtpark")[1] == "updated"
    with pytest.raises(ConsultationError, match="taken"):
        save_draft(session=session, spec=retitled, actor="t", slug=None)


def consultation_period(consultation: Consultation):  # type: ignore[no-untyped-def]
    from voting.consultations.services import PeriodSpec

    return PeriodSpec(opens_at=consultation.opens_at, closes_at=consultation.closes_at)


def test_announced_consultations_are_locked_entirely(session):
    consultation = session.get(Consultation, make_open_consultation(session).id)
    locks = locked_fields(session=session, consultation=consultation)
    assert set(locks.values()) == {"announced"} and "questions" in locks
    spec = parse_spec(spec_data(title="Anders"), known_methods=KNOWN_METHODS)
    with pytest.raises(ConsultationError, match="froze"):
        save_draft(session=session, spec=spec, actor="t", slug="stadtpark")


def test_preview_counts_eligible_excluded_and_bad_lines_without_storing(session):
    spec = parse_spec(
        spec_data(eligibility={"min_age": 18, "districts": ["Nord"]}), known_methods=KNOWN_METHODS
    )
    consultation, _ = load_consultation(session=session, spec=spec, actor="test")
    text = HEADER + (
        "1;A;B;W 1;67655;KL;Nord;01.01.1980\n"
        "2;A;B;W 1;67655;KL;Süd;01.01.1980\n"
        "3;A;B;W 1;67655;KL;Nord;01.01.2020\n"
        "1;A;B;W 1;67655;KL;Nord;01.01.1980\n"
        "5;A;B;W 1;67655;KL;Nord;1980\n"
    )
    preview = preview_electorate(consultation, text.encode())
    assert preview.eligible == 1
    assert dict(preview.excluded) == {"other_district": 1, "too_young": 1}
    assert [(line, p.code) for line, p in preview.problems] == [(5, "duplicate"), (6, "birth_date")]
    assert count(session, Voter) == 0
