"""Proposals: submission, moderation, supports with the agenda threshold, options."""

from datetime import timedelta

import pytest
from sqlmodel import select

from tests.conftest import make_resident, spec_data
from tests.services.test_consultations import KNOWN_METHODS
from voting.consultations.services import load_consultation, parse_spec
from voting.core.models import AuditEvent, Option, utcnow
from voting.proposals.models import ProposalStatus
from voting.proposals.services import (
    ProposalError,
    ProposalFields,
    moderate_proposal,
    option_targets,
    proposal_to_option,
    revise_proposal,
    search_proposals,
    submit_proposal,
    support_count,
    support_proposal,
)

FIELDS = ProposalFields(
    title="Trinkbrunnen am Stiftsplatz",
    text="Im Sommer fehlt Wasser.",
    district="Innenstadt",
    cost_estimate=15000,
)


def submitted(session, author=None, fields=FIELDS):  # type: ignore[no-untyped-def]
    author = author or make_resident(session)
    proposal = submit_proposal(session=session, author=author, fields=fields)
    session.commit()
    return proposal


def moderate(session, proposal, decision, note="", now=None):  # type: ignore[no-untyped-def]
    return moderate_proposal(
        session=session,
        proposal=proposal,
        decision=decision,
        note=note,
        actor="redaktion",
        now=now or utcnow(),
        support_days=30,
    )


def published(session, **kwargs):  # type: ignore[no-untyped-def]
    proposal = submitted(session, **kwargs)
    moderate(session, proposal, "publish")
    session.commit()
    return proposal


def supporters(session, count):  # type: ignore[no-untyped-def]
    return [make_resident(session, f"r{i}@example.org", f"S{i:04d}") for i in range(count)]


def support(session, proposal, account, threshold=3, now=None):  # type: ignore[no-untyped-def]
    """Support and commit, as the view does; roll back a refusal."""
    try:
        reached = support_proposal(
            session=session,
            proposal_id=proposal.id,
            account=account,
            now=now or utcnow(),
            threshold=threshold,
        )
    except ProposalError:
        session.rollback()
        raise
    session.commit()
    return reached


def test_only_verified_residents_submit(session):
    unverified = make_resident(session, "new@example.org", person_id=None)
    with pytest.raises(ProposalError) as refused:
        submit_proposal(session=session, author=unverified, fields=FIELDS)
    assert refused.value.reason == "not_verified"
    proposal = submitted(session, fields=ProposalFields("Brunnen", " Erstens.\r\n\r\nZweitens. "))
    assert proposal.status == "submitted" and proposal.text == "Erstens.\n\nZweitens."


def test_publishing_opens_the_support_period(session):
    proposal = submitted(session)
    now = utcnow()
    moderate(session, proposal, "publish", now=now)
    assert proposal.status == "published"
    assert proposal.support_ends_at == now + timedelta(days=30)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "proposal.publish")).one()
    assert event.details["before"] == "submitted" and event.details["after"] == "published"


@pytest.mark.parametrize("decision", ["request_changes", "reject"])
def test_asking_for_changes_and_rejecting_need_a_reason_for_the_author(session, decision):
    proposal = submitted(session)
    with pytest.raises(ProposalError) as refused:
        moderate(session, proposal, decision, note="   ")
    assert refused.value.reason == "note_missing"
    moderate(session, proposal, decision, note="Bitte Standort nennen.")
    assert proposal.moderation_note == "Bitte Standort nennen."
    assert (
        proposal.status == {"request_changes": "changes_requested", "reject": "rejected"}[decision]
    )


def test_only_submitted_proposals_are_moderated(session):
    proposal = published(session)
    with pytest.raises(ProposalError) as refused:
        moderate(session, proposal, "reject", note="zu spät")
    assert refused.value.reason == "wrong_status"
    assert proposal.status == "published"


def test_author_revises_after_a_change_request_only(session):
    author = make_resident(session)
    other = make_resident(session, "other@example.org", "P00002")
    proposal = submitted(session, author=author)
    changed = ProposalFields(title="Trinkbrunnen am Stiftsplatz", text="Neben der Stiftskirche.")
    with pytest.raises(ProposalError) as too_early:
        revise_proposal(session=session, proposal=proposal, author=author, fields=changed)
    assert too_early.value.reason == "wrong_status"
    moderate(session, proposal, "request_changes", note="Wo genau?")
    with pytest.raises(ProposalError) as stranger:
        revise_proposal(session=session, proposal=proposal, author=other, fields=changed)
    assert stranger.value.reason == "not_author"
    revise_proposal(session=session, proposal=proposal, author=author, fields=changed)
    assert proposal.status == "submitted" and proposal.text == "Neben der Stiftskirche."
    assert proposal.district == "" and proposal.cost_estimate is None


def test_each_person_supports_once_and_the_threshold_puts_it_on_the_agenda(session):
    proposal = published(session)
    first, second, third = supporters(session, 3)
    assert support(session, proposal, first) is False
    with pytest.raises(ProposalError) as twice:
        support(session, proposal, first)
    assert twice.value.reason == "already_supported"
    assert support(session, proposal, second) is False
    assert support(session, proposal, third) is True
    assert proposal.status == "agenda" and proposal.agenda_at is not None
    assert support_count(session=session, proposal_id=proposal.id) == 3


def test_supports_after_the_agenda_are_counted_without_a_new_status(session):
    proposal = published(session)
    accounts = supporters(session, 2)
    assert support(session, proposal, accounts[0], threshold=1) is True
    assert support(session, proposal, accounts[1], threshold=1) is False
    assert proposal.status == "agenda"


def test_a_person_with_a_new_account_cannot_support_again(session):
    proposal = published(session)
    old = make_resident(session, "old@example.org", "P00004")
    support(session, proposal, old)
    session.commit()
    new = make_resident(session, "new@example.org", "P00004")  # takes over the verification
    with pytest.raises(ProposalError) as refused:
        support(session, proposal, new)
    assert refused.value.reason == "already_supported"


def test_supports_outside_the_period_or_status_are_refused(session):
    proposal = published(session)
    (account,) = supporters(session, 1)
    with pytest.raises(ProposalError) as late:
        support(session, proposal, account, now=proposal.support_ends_at)
    assert late.value.reason == "support_closed"
    unpublished = submitted(session, author=account)
    with pytest.raises(ProposalError) as early:
        support(session, unpublished, account)
    assert early.value.reason == "wrong_status"
    unverified = make_resident(session, "x@example.org", person_id=None)
    with pytest.raises(ProposalError) as anonymous:
        support(session, proposal, unverified)
    assert anonymous.value.reason == "not_verified"
    assert support_count(session=session, proposal_id=proposal.id) == 0


def draft_consultation(session):  # type: ignore[no-untyped-def]
    spec = parse_spec(spec_data("haushalt"), known_methods=KNOWN_METHODS)
    consultation, _ = load_consultation(session=session, spec=spec, actor="test")
    session.commit()
    return consultation


def test_a_published_proposal_becomes_an_option_that_links_back(session):
    consultation = draft_consultation(session)
    proposal = published(session)
    targets = option_targets(session=session)
    assert {q.key for _c, q in targets} == {"nutzung", "projekte"}  # no yes/no question
    question = next(q for _c, q in targets if q.key == "projekte")
    option = proposal_to_option(
        session=session, proposal=proposal, question=question, actor="redaktion"
    )
    session.commit()
    stored = session.exec(select(Option).where(Option.proposal_id == proposal.id)).one()
    assert stored.id == option.id and stored.label == FIELDS.title
    assert question.option_keys[-1] == f"vorschlag-{proposal.id}"
    assert proposal.status == ProposalStatus.CONSULTATION
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "proposal.to_option")).one()
    assert event.consultation_id == consultation.id


def test_options_are_refused_for_frozen_consultations_and_yes_no_questions(session):
    consultation = draft_consultation(session)
    proposal = published(session)
    yes_no = next(q for q in consultation.questions if q.method == "yes_no")
    with pytest.raises(ProposalError) as unsuited:
        proposal_to_option(session=session, proposal=proposal, question=yes_no, actor="r")
    assert unsuited.value.reason == "method_unsuited"
    consultation.status = "scheduled"
    session.add(consultation)
    session.commit()
    single = next(q for q in consultation.questions if q.method == "single")
    with pytest.raises(ProposalError) as frozen:
        proposal_to_option(session=session, proposal=proposal, question=single, actor="r")
    assert frozen.value.reason == "consultation_frozen"
    assert len(single.options) == 3 and proposal.status == "published"


def test_search_finds_public_proposals_by_words_district_and_status(session):
    author = make_resident(session)
    park = published(
        session, author=author, fields=ProposalFields("Bänke im Park", "Mehr Bänke", "Nord")
    )
    published(session, author=author, fields=ProposalFields("Radweg", "Sicherer zur Schule", "Süd"))
    submitted(
        session, author=author, fields=ProposalFields("Geheimer Park", "noch nicht öffentlich")
    )
    assert [p.title for p, _n in search_proposals(session=session).items] == [
        "Radweg",
        "Bänke im Park",
    ]
    assert [p.id for p, _n in search_proposals(session=session, query="park").items] == [park.id]
    assert (
        search_proposals(session=session, query="bänke nord").total == 0
    )  # words in title or text
    assert search_proposals(session=session, district="Süd").items[0][0].title == "Radweg"
    assert search_proposals(session=session, status="agenda").total == 0
    assert search_proposals(session=session, query="100%").total == 0  # a literal percent sign
    page = search_proposals(session=session, per_page=1, page=2)
    assert page.pages == 2 and page.items[0][0].id == park.id
