"""A published consultation with a question of every counting method verifies, lots and all."""

import copy

import pytest

from buergervotum_verifier import VerificationError, verify_bundle
from results.methods import METHODS
from results.services import publish_result, tally_consultation
from tests.conftest import cast_code, close_voting, make_open_consultation, second_reader
from voting.core.models import Consultation

OPTIONS = [{"key": k, "label": k.title()} for k in ("rad", "bus", "bahn")]
COSTS = {"rad": 40, "bus": 40, "bahn": 30}  # thousand euros


def question(key: str, method: str, **params):  # type: ignore[no-untyped-def]
    return {"key": key, "text": f"Frage {key}", "method": method, "params": params}


QUESTIONS = [
    question("ja", "yes_no", quorum="rlp_buergerentscheid"),
    question("single", "single"),
    question("approval", "approval", max_choices=2),
    question("borda", "borda"),
    question("schulze", "schulze"),
    question("irv", "irv"),
    question("stv", "stv", seats=2),
    question("mj", "majority_judgment", grades=["schlecht", "mittel", "gut"]),
    question("score", "score", grades=["schlecht", "mittel", "gut"]),
    question("greedy", "pb_greedy", budget=100, costs=COSTS),
    question("mes", "pb_equal_shares", budget=100, costs=COSTS, completion="none"),
    question("add1", "pb_equal_shares", budget=100, costs=COSTS, completion="add1"),
    question("fill", "pb_equal_shares", budget=100, costs=COSTS, completion="greedy"),
]
for q in QUESTIONS[1:]:
    q["options"] = OPTIONS

# Every answer comes in a mirrored pair (rad and bus swapped), so rad and bus tie everywhere.
HALF = [
    ["rad", "bus", "bahn"],
    ["rad", "bahn"],
    ["bahn", "rad", "bus"],
]


def mirrored(ranking: list[str]) -> list[str]:
    swap = {"rad": "bus", "bus": "rad"}
    return [swap.get(option, option) for option in ranking]


def answers(ranking: list[str]) -> dict:
    chosen = [o["key"] for o in OPTIONS if o["key"] in ranking[:2]]
    return {
        "ja": "yes" if ranking[0] == "bahn" else "no",
        "single": ranking[0],
        "approval": chosen,
        **{key: ranking for key in ("borda", "schulze", "irv", "stv")},
        "mj": {option: 2 - place for place, option in enumerate(ranking)},
        "score": {option: 2 - place for place, option in enumerate(ranking)},
        **{key: chosen for key in ("greedy", "mes", "add1", "fill")},
    }


@pytest.fixture
def published(client, session, signer):  # type: ignore[no-untyped-def]
    """Return the bundle of a published consultation with a question of every method."""
    ballots = [answers(r) for r in HALF] + [answers(mirrored(r)) for r in HALF]
    opened = make_open_consultation(session, voters=8, questions=QUESTIONS)
    for code, content in zip(opened.codes, ballots, strict=False):
        cast_code(session, opened.id, code, signer, content)
        session.commit()
    consultation = session.get(Consultation, opened.id)
    close_voting(session, consultation, "test")
    second_reader(session)
    tally_consultation(session=session, consultation=consultation, actor="test")
    publish_result(session=session, consultation=consultation, actor="second-reader")
    session.commit()
    return client.get(f"/api/v1/consultations/{opened.slug}/bundle").get_json()


def test_a_bundle_with_every_method_verifies(published):
    assert {q["method"] for q in published["consultation"]["questions"]} == set(METHODS)
    report = verify_bundle(published)
    assert report.ballots == 6
    # The mirrored ballots tie rad and bus: the published result drew lots, and they hold.
    drawn = [q["key"] for q in published["result"]["questions"] if "lot" in q["details"]]
    assert set(drawn) == {q["key"] for q in QUESTIONS} - {"ja"}  # yes/no ties are never drawn


def test_a_lot_drawn_the_other_way_is_found(published):
    changed = copy.deepcopy(published)
    single = next(q for q in changed["result"]["questions"] if q["key"] == "single")
    (lot,) = single["details"]["lot"]
    other = next(option for option in lot["tied"] if option != lot["drawn"])
    lot["drawn"] = other
    single["winners"] = [other]
    with pytest.raises(VerificationError, match="question 'single': the recount gives winners"):
        verify_bundle(changed)


def test_a_threshold_changed_after_scheduling_does_not_break_the_published_bundle(
    client, session, signer
):  # type: ignore[no-untyped-def]
    # The definition signed a threshold of 10; the setting says 1 by the day of the count.
    opened = make_open_consultation(session, voters=3, questions=QUESTIONS[:2])
    for code in opened.codes[:2]:
        cast_code(session, opened.id, code, signer, {"ja": "yes", "single": "bus"})
        session.commit()
    consultation = session.get(Consultation, opened.id)
    close_voting(session, consultation, "test")
    second_reader(session)
    tally_consultation(
        session=session, consultation=consultation, actor="test", min_district_ballots=1
    )
    publish_result(session=session, consultation=consultation, actor="second-reader")
    session.commit()
    bundle = client.get(f"/api/v1/consultations/{opened.slug}/bundle").get_json()
    assert verify_bundle(bundle).ballots == 2
