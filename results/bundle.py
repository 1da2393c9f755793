"""The verification bundle: everything a stranger needs to recount a published consultation."""

from typing import Any

from sqlmodel import Session

from ballots.keys import public_key_list
from ballots.log import leaves, log_root, log_size, tree_heads
from ballots.models import PaperMark, Participation
from ballots.signed_steps import CLOSING, DEFINITION, PAPER_SEAL, questions_of, statements
from results.services import published_result
from voting.core.db import count_rows
from voting.core.lifecycle import electorate_size
from voting.core.models import Consultation

FORMAT = "buergervotum-bundle/v3"


def _utc(value: Any) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def manifest(consultation: Consultation) -> dict[str, Any]:
    """Return the consultation as the bundle describes it: period, questions, options."""
    return {
        "id": consultation.slug,
        "title": consultation.title,
        "kind": consultation.kind,
        "opens_at": _utc(consultation.opens_at),
        "closes_at": _utc(consultation.closes_at),
        "questions": questions_of(consultation),
    }


def bundle_turnout(*, session: Session, consultation: Consultation) -> dict[str, int]:
    """Return the electorate and the marks, online (one per logged ballot) and on paper."""
    if consultation.electorate_deleted_at is not None:
        # The voters are gone after the retention period; the consultation kept the figures.
        eligible = consultation.eligible_count or 0
        marks = consultation.voted_count or 0
        paper = consultation.paper_count or 0
    else:
        eligible = electorate_size(session=session, consultation_id=consultation.id)
        marks = count_rows(session, Participation, consultation.id)
        paper = count_rows(session, PaperMark, consultation.id)
    # Paper ballots set participation marks but are not in the log: their counts are
    # published apart (results.paper), so only the online marks must match the leaves.
    return {"eligible": eligible, "participation_marks": marks - paper, "paper_marks": paper}


def build_bundle(*, session: Session, consultation: Consultation) -> dict[str, Any] | None:
    """Return the bundle of a published consultation; None while the result is embargoed."""
    result = published_result(session=session, consultation=consultation)
    if result is None:
        return None
    return {
        "format": FORMAT,
        "consultation": manifest(consultation),
        "keys": public_key_list(session=session),
        "definitions": statements(
            session=session, consultation_id=consultation.id, kind=DEFINITION
        ),
        "closing": next(
            iter(statements(session=session, consultation_id=consultation.id, kind=CLOSING)),
            None,
        ),
        # Only where paper ballots were keyed after the close (ballots.paper_ballots).
        "paper_seal": next(
            iter(statements(session=session, consultation_id=consultation.id, kind=PAPER_SEAL)),
            None,
        ),
        "tree_size": log_size(session=session, consultation_id=consultation.id),
        "root_hash": log_root(session=session, consultation_id=consultation.id).hex(),
        "leaves": leaves(session=session, consultation_id=consultation.id, with_content=True),
        "tree_heads": tree_heads(session=session, consultation_id=consultation.id),
        "turnout": bundle_turnout(session=session, consultation=consultation),
        "result": {
            "consultation": consultation.slug,
            "published_at": _utc(result.published_at),
            **result.data,
        },
    }
