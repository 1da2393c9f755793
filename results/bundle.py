"""The verification bundle: everything a stranger needs to recount a published consultation."""

from typing import Any

from sqlmodel import Session, func, select

from ballots.keys import public_key_list
from ballots.log import leaves, log_root, log_size, tree_heads
from ballots.models import Participation
from results.services import published_result
from voting.models import Consultation
from voting.services.consultations import electorate_size

FORMAT = "buergervotum-bundle/v1"


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
        "questions": [
            {
                "key": question.key,
                "text": question.text,
                "method": question.method,
                "params": dict(question.params),
                "options": [{"key": o.key, "label": o.label} for o in question.options],
            }
            for question in consultation.questions
        ],
    }


def build_bundle(*, session: Session, consultation: Consultation) -> dict[str, Any] | None:
    """Return the bundle of a published consultation; None while the result is embargoed."""
    result = published_result(session=session, consultation=consultation)
    if result is None:
        return None
    marks = session.exec(
        select(func.count())
        .select_from(Participation)
        .where(Participation.consultation_id == consultation.id)
    ).one()
    return {
        "format": FORMAT,
        "consultation": manifest(consultation),
        "keys": public_key_list(session=session),
        "tree_size": log_size(session=session, consultation_id=consultation.id),
        "root_hash": log_root(session=session, consultation_id=consultation.id).hex(),
        "leaves": leaves(session=session, consultation_id=consultation.id, with_content=True),
        "tree_heads": tree_heads(session=session, consultation_id=consultation.id),
        "turnout": {
            "eligible": electorate_size(session=session, consultation_id=consultation.id),
            "participation_marks": marks,
        },
        "result": {
            "consultation": consultation.slug,
            "published_at": _utc(result.published_at),
            **result.data,
        },
    }
