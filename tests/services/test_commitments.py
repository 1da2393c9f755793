"""Attack: read the votes from the open log by hashing every possible ballot against each leaf.

A ballot has only a few hundred or thousand possible contents, and the tracking code is
published beside its leaf. Before leaves were salted, a stranger recovered every ballot of
the demo (12 of 12) and of every method from the open log. Now nothing is recovered while
voting is open, and once the result is published, the revealed salts recompute every leaf.
"""

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from ballots import merkle
from ballots.canonical import canonical_json
from ballots.commitment import TAG, ballot_entry
from ballots.content import METHOD_SHAPES, BallotQuestion, grade_scale
from ballots.definition import find_definition
from ballots.models import Ballot
from results.services import publish_result, tally_consultation
from tests.conftest import (
    PSEUDONYM_KEY,
    cast_code,
    close_voting,
    make_open_consultation,
    second_reader,
)
from tests.views.test_verify_every_method import QUESTIONS
from voting.core.lifecycle import (
    ConsultationError,
    UnpublishableError,
    find_consultation,
)
from voting.core.models import Consultation
from voting.demo import DEFINITION, load_demo


def possible_answers(question: BallotQuestion) -> Iterator[Any]:
    """Yield every answer a ballot may give to the question, blank included."""
    yield None
    options = question.options
    shape = METHOD_SHAPES[question.method]
    if shape == "choice":
        yield from options
    elif shape == "approval":
        most = question.params.get("max_choices") or len(options)
        costs, budget = question.params.get("costs"), question.params.get("budget")
        for size in range(1, most + 1):
            yield from (
                list(chosen)
                for chosen in itertools.combinations(options, size)
                # A budget's choice must fit the budget to be cast.
                if budget is None or sum(costs[o] for o in chosen) <= budget
            )
    elif shape == "ranking":
        for size in range(1, len(options) + 1):
            yield from (list(order) for order in itertools.permutations(options, size))
    else:  # grades: every option graded or left out
        for grades in itertools.product(
            [None, *range(grade_scale(question) + 1)], repeat=len(options)
        ):
            graded = {o: g for o, g in zip(options, grades, strict=True) if g is not None}
            if graded:
                yield graded


def possible_contents(questions: tuple[BallotQuestion, ...]) -> list[dict[str, Any]]:
    """Return every content a ballot of these questions may have."""
    spaces = [list(possible_answers(question)) for question in questions]
    return [
        {q.key: answer for q, answer in zip(questions, combination, strict=True)}
        for combination in itertools.product(*spaces)
    ]


def brute_force(
    slug: str, leaves: list[dict[str, Any]], contents: list[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Return the contents recovered per tracking code from public leaves alone.

    The stranger hashes every candidate with the published tracking code, with no salt and
    with the empty salt (the bytes of a log entry are documented).
    """
    recovered = {}
    for leaf in leaves:
        code = leaf["tracking_code"]
        for content in contents:
            guesses = (
                canonical_json({"consultation": slug, "tracking_code": code, "content": content}),
                ballot_entry(slug, code, content, ""),
            )
            if any(merkle.leaf_hash(guess).hex() == leaf["leaf_hash"] for guess in guesses):
                recovered[code] = content
    return recovered


def open_log(client, slug: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    log = client.get(f"/api/v1/consultations/{slug}/log").get_json()
    assert log["format"] == "buergervotum-log/v2" and not log["contents_published"]
    fields = {"leaf_index", "channel", "tracking_code", "leaf_hash"}
    assert all(set(leaf) == fields for leaf in log["leaves"])
    return log["leaves"]


def close_and_publish(session: Session, consultation_id: int) -> None:
    consultation = session.get(Consultation, consultation_id)
    close_voting(session, consultation, "test")
    second_reader(session)
    tally_consultation(session=session, consultation=consultation, actor="test")
    publish_result(session=session, consultation=consultation, actor="second-reader")
    session.commit()


def test_no_ballot_of_the_demo_can_be_read_from_the_open_log(
    client, session, signer, signing_key_path, tmp_path: Path
):
    load_demo(
        session=session,
        instance=tmp_path,
        pseudonym_key=PSEUDONYM_KEY,
        signing_key_path=signing_key_path,
        signing_key_passphrase=None,
        min_district_voters=10,
    )
    session.commit()
    demo = find_consultation(session=session, slug=json.loads(DEFINITION.read_text())["slug"])
    assert demo is not None
    definition = find_definition(session=session, consultation_id=demo.id)
    assert definition is not None
    contents = possible_contents(definition.ballot_questions)
    assert len(contents) == 840  # 4 answers × 5 × 42: hashing them all takes milliseconds
    codes = [
        line for line in (tmp_path / "demo-codes.txt").read_text().splitlines() if "#" not in line
    ]
    cast = {}
    for number, code in enumerate(codes[:12]):
        content = contents[number * 67 % len(contents)]
        cast[cast_code(session, definition.id, code, signer, content).tracking_code] = content
        session.commit()

    assert brute_force(definition.slug, open_log(client, definition.slug), contents) == {}

    close_and_publish(session, definition.id)
    bundle = client.get(f"/api/v1/consultations/{definition.slug}/bundle").get_json()
    assert bundle["format"] == "buergervotum-bundle/v3"
    # Published, every salt and content recomputes its leaf: the commitments bind.
    for leaf in bundle["leaves"]:
        assert cast[leaf["tracking_code"]] == leaf["content"]
        entry = TAG + canonical_json(
            {
                "consultation": definition.slug,
                "tracking_code": leaf["tracking_code"],
                "salt": leaf["salt"],
                "content": leaf["content"],
            }
        )
        assert len(bytes.fromhex(leaf["salt"])) == 32
        assert merkle.leaf_hash(entry).hex() == leaf["leaf_hash"]


@pytest.mark.parametrize("question", QUESTIONS, ids=[q["key"] for q in QUESTIONS])
def test_no_method_lets_an_open_leaf_be_read(client, session, signer, question):
    opened = make_open_consultation(session, voters=4, questions=[question])
    definition = find_definition(session=session, consultation_id=opened.id)
    assert definition is not None
    contents = possible_contents(definition.ballot_questions)
    for number, code in enumerate(opened.codes):
        cast_code(session, opened.id, code, signer, contents[number * 5 % len(contents)])
        session.commit()

    assert brute_force(opened.slug, open_log(client, opened.slug), contents) == {}


def test_publication_refuses_a_ballot_that_does_not_match_its_commitment(session, signer):
    opened = make_open_consultation(session, voters=3)
    for code in opened.codes:
        cast_code(session, opened.id, code, signer, {"brunnen": "yes"})
        session.commit()
    consultation = session.get(Consultation, opened.id)
    close_voting(session, consultation, "test")
    tally_consultation(session=session, consultation=consultation, actor="test")
    session.commit()
    # Someone with database access changes a stored ballot after the count.
    ballot = session.exec(
        select(Ballot).where(Ballot.consultation_id == opened.id, Ballot.leaf_index == 1)
    ).one()
    ballot.content = canonical_json({"brunnen": "no", "nutzung": None, "projekte": None}).decode()
    session.commit()

    with pytest.raises(UnpublishableError) as refused:
        publish_result(session=session, consultation=consultation, actor="second-reader")
    assert refused.value.leaves == [1]
    assert isinstance(refused.value, ConsultationError)
    session.rollback()
    assert not session.get(Consultation, opened.id).is_published
