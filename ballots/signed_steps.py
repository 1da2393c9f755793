"""Lifecycle steps that sign what they fix: the definition when announced and opened, the
closing head when voting is closed.

- **schedule** signs definition version 1: the rules, with the eligibility rule but no
  count yet (the register is imported afterwards);
- **open** signs the next version with the number of eligible voters, now fixed; the log
  names it from the first ballot on;
- **close** locks the log, so no ballot slips in, and signs the closing head over the
  online log with the time of closing and the participation marks;
- where paper ballots were keyed after the close (ballots.paper_ballots), the count first
  signs the **paper seal** over the log with them (``seal_paper_ballots``).

Each statement is written in the step's transaction: it exists exactly when the step does.
Every schedule, open and close goes through ``take_step``; other steps need no signature.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, select

from ballots.canonical import canonical_json
from ballots.keys import read_signer
from ballots.log import lock_log, log_root, log_size, name_definition
from ballots.models import Ballot, PaperBallotEntry, PaperMark, Participation, SignedStatement
from ballots.receipts import Signer
from ballots.statements import (
    CLOSING_DOMAIN,
    DEFINITION_DOMAIN,
    PAPER_DOMAIN,
    sign_statement,
    statement_hash,
)
from voting.core.db import count_rows
from voting.core.lifecycle import electorate_size, transition
from voting.core.models import Consultation

DEFINITION = "definition"
CLOSING = "closing"
PAPER_SEAL = "paper"


@dataclass(frozen=True)
class Signing:
    """What a signed step needs besides the consultation: the key and the published rules."""

    signer: Signer
    suppression_threshold: int

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "Signing":
        """Return the signing of an app's configuration: its key file and threshold."""
        signer = read_signer(config["SIGNING_KEY_PATH"], config["SIGNING_KEY_PASSPHRASE"])
        return cls(signer, int(config["MIN_DISTRICT_BALLOTS"]))


def utc(moment: datetime) -> str:
    """Return a moment as the statements state it: UTC, to the second."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def questions_of(consultation: Consultation) -> list[dict[str, Any]]:
    """Return the questions as the definition and the bundle state them, in ballot order."""
    return [
        {
            "key": question.key,
            "text": question.text,
            "method": question.method,
            "params": dict(question.params),
            "options": [{"key": o.key, "label": o.label} for o in question.options],
        }
        for question in consultation.questions
    ]


def take_step(
    *,
    session: Session,
    consultation: Consultation,
    action: str,
    actor: str,
    signing: Signing,
    now: datetime,
) -> Consultation:
    """Apply a lifecycle step (voting.core.lifecycle.transition) and sign what it fixes."""
    if action == "close":
        lock_log(session=session, consultation_id=_id(consultation))
    transition(session=session, consultation=consultation, action=action, actor=actor, now=now)
    if action == "schedule":
        _sign_definition(session, consultation, signing, eligible=None)
    elif action == "open":
        eligible = electorate_size(session=session, consultation_id=_id(consultation))
        _sign_definition(session, consultation, signing, eligible=eligible)
    elif action == "close":
        _sign_closing(session, consultation, signing, now)
    return consultation


def _id(consultation: Consultation) -> int:
    assert consultation.id is not None
    return consultation.id


def announce_key(*, session: Session, signing: Signing) -> list[str]:
    """Sign a new definition version, naming the new key, for every consultation not closed.

    After a key rotation the tree heads are signed with the new key: the definition they
    name must list it. Return the consultations re-signed.
    """
    renewed = []
    for consultation in session.exec(
        select(Consultation).where(col(Consultation.status).in_(("scheduled", "open")))
    ):
        previous = newest_definition(session=session, consultation_id=_id(consultation))
        if previous is None or signing.signer.key_id in previous["signing_keys"]:
            continue
        _sign_definition(session, consultation, signing, eligible=previous["eligible"])
        renewed.append(consultation.slug)
    return renewed


def _sign_definition(
    session: Session, consultation: Consultation, signing: Signing, *, eligible: int | None
) -> None:
    previous = newest_definition(session=session, consultation_id=_id(consultation))
    # Keys named before stay named: heads already signed with them still belong.
    keys = [*(previous["signing_keys"] if previous else []), signing.signer.key_id]
    fields = {
        "consultation": consultation.slug,
        "version": previous["version"] + 1 if previous else 1,
        "previous": statement_hash(previous) if previous else None,
        "title": consultation.title,
        "kind": consultation.kind,
        "opens_at": utc(consultation.opens_at),
        "closes_at": utc(consultation.closes_at),
        "eligibility": {"min_age": consultation.min_age, "districts": list(consultation.districts)},
        "eligible": eligible,
        "suppression_threshold": signing.suppression_threshold,
        "signing_keys": list(dict.fromkeys(keys)),
        "questions": questions_of(consultation),
    }
    statement = sign_statement(fields, signing.signer, DEFINITION_DOMAIN)
    _store(session, consultation, DEFINITION, statement)
    name_definition(
        session=session, consultation_id=_id(consultation), definition=statement_hash(statement)
    )


def _sign_closing(
    session: Session, consultation: Consultation, signing: Signing, now: datetime
) -> None:
    consultation_id = _id(consultation)
    definition = current_definition(session=session, consultation_id=consultation_id)
    marks = count_rows(session, Participation, consultation_id)
    paper = count_rows(session, PaperMark, consultation_id)
    fields = {
        "consultation": consultation.slug,
        "definition": definition,
        "closed_at": utc(now),
        "tree_size": log_size(session=session, consultation_id=consultation_id),
        "root_hash": log_root(session=session, consultation_id=consultation_id).hex(),
        "participation_marks": marks,
        "paper_marks": paper,
    }
    _store(session, consultation, CLOSING, sign_statement(fields, signing.signer, CLOSING_DOMAIN))


def seal_paper_ballots(
    *, session: Session, consultation: Consultation, signing: Signing, now: datetime
) -> dict[str, Any] | None:
    """Sign the paper seal over the log with the paper ballots keyed since the close.

    Return it, or None where no paper ballot was keyed: the closing head then states the
    final log. Run by the count, under the log's lock, once every entry is counted.
    """
    consultation_id = _id(consultation)
    papers = session.exec(
        select(func.count())
        .select_from(Ballot)
        .where(col(Ballot.consultation_id) == consultation_id, col(Ballot.channel) == "paper")
    ).one()
    invalid = session.exec(
        select(func.count())
        .select_from(PaperBallotEntry)
        .where(
            col(PaperBallotEntry.consultation_id) == consultation_id,
            col(PaperBallotEntry.invalid),
        )
    ).one()
    if not papers and not invalid:
        return None
    (closing,) = statements(session=session, consultation_id=consultation_id, kind=CLOSING)
    fields = {
        "consultation": consultation.slug,
        "definition": current_definition(session=session, consultation_id=consultation_id),
        "closing": statement_hash(closing),
        "tree_size": log_size(session=session, consultation_id=consultation_id),
        "root_hash": log_root(session=session, consultation_id=consultation_id).hex(),
        "paper_ballots": papers,
        "invalid_paper_ballots": invalid,
        "sealed_at": utc(now),
    }
    seal = sign_statement(fields, signing.signer, PAPER_DOMAIN)
    _store(session, consultation, PAPER_SEAL, seal)
    return seal


def _store(
    session: Session, consultation: Consultation, kind: str, statement: dict[str, Any]
) -> None:
    session.add(
        SignedStatement(
            consultation_id=_id(consultation),
            kind=kind,
            version=statement.get("version", 1),
            hash=statement_hash(statement),
            body=canonical_json(statement).decode("utf-8"),
        )
    )
    session.flush()


def _newest_definition(session: Session, consultation_id: int) -> SignedStatement | None:
    return session.exec(
        select(SignedStatement)
        .where(
            col(SignedStatement.consultation_id) == consultation_id,
            col(SignedStatement.kind) == DEFINITION,
        )
        .order_by(col(SignedStatement.version).desc())
    ).first()


def newest_definition(*, session: Session, consultation_id: int) -> dict[str, Any] | None:
    """Return the consultation's newest signed definition, if any."""
    row = _newest_definition(session, consultation_id)
    return json.loads(row.body) if row is not None else None


def current_definition(*, session: Session, consultation_id: int) -> str | None:
    """Return the hash of the consultation's newest signed definition, if any."""
    row = _newest_definition(session, consultation_id)
    return row.hash if row is not None else None


def statements(*, session: Session, consultation_id: int, kind: str) -> list[dict[str, Any]]:
    """Return the consultation's signed statements of one kind, oldest version first."""
    bodies = session.exec(
        select(SignedStatement.body)
        .where(
            col(SignedStatement.consultation_id) == consultation_id,
            col(SignedStatement.kind) == kind,
        )
        .order_by(col(SignedStatement.version))
    )
    return [json.loads(body) for body in bodies]
