"""The verifier's recount refuses ballots and parameters it cannot count, naming why."""

import pytest

from buergervotum_verifier.recount import (
    Question,
    RecountError,
    check_answer,
    recount,
    recount_for,
)


@pytest.mark.parametrize(
    ("question", "answer", "message"),
    [
        (Question("q", "irv", ("a", "b")), ["a", "a"], "an option is ranked twice"),
        (Question("q", "schulze", ("a", "b")), [], "expected a ranking"),
        (Question("q", "borda", ("a", "b")), {"a": 1}, "expected a ranking"),
        (Question("q", "stv", ("a", "b", "c"), {"seats": 1}), ["x"], "'x' is not an option"),
        (
            Question("q", "score", ("a", "b"), {"grades": ["-", "+"]}),
            {"a": 2},
            "'a' has the grade 2, not one from 0 to 1",
        ),
        (
            Question("q", "majority_judgment", ("a", "b"), {"grades": ["-", "+"]}),
            {"a": True},
            "'a' has the grade True",
        ),
        (
            Question("q", "pb_greedy", ("a", "b"), {"budget": 3, "costs": {"a": 1, "b": 2}}),
            ["b", "a"],
            "not in ballot order",
        ),
        (
            Question(
                "q",
                "pb_equal_shares",
                ("a", "b", "c"),
                {"budget": 3, "costs": {"a": 1, "b": 2, "c": 1}, "max_choices": 1},
            ),
            ["a", "b"],
            "2 options marked, at most 1 allowed",
        ),
    ],
)
def test_a_ballot_of_the_wrong_shape_is_refused(question, answer, message):
    with pytest.raises(RecountError, match=message):
        check_answer(question, answer)


@pytest.mark.parametrize(
    ("question", "message"),
    [
        (Question("q", "stv", ("a", "b"), {"seats": 2}), "seats 2"),
        (Question("q", "score", ("a", "b"), {"grades": ["nur eine"]}), "no scale"),
        (Question("q", "score", ("a", "b"), {"grades": ["gut", " "]}), "no scale"),
        (Question("q", "yes_no", ("yes", "no", "abstain"), {"quorum": "x"}), "unknown quorum"),
        (Question("q", "pb_greedy", ("a", "b"), {"budget": 5, "costs": {"a": 1}}), "costs"),
        (
            Question("q", "pb_equal_shares", ("a",), {"budget": 5, "costs": {"a": 1}, "x": 1}),
            "the parameter 'x' is not one this verifier knows",
        ),
        (
            Question(
                "q", "pb_equal_shares", ("a",), {"budget": 5, "costs": {"a": 1}, "completion": "?"}
            ),
            "completion '\\?'",
        ),
    ],
)
def test_parameters_the_recount_cannot_count_with_are_refused(question, message):
    with pytest.raises(RecountError, match=message):
        recount_for(question)


CHECK_YES_NO = Question("brunnen", "yes_no", ("yes", "no", "abstain"))
CHECK_SINGLE = Question("nutzung", "single", ("garten", "parken"))
CHECK_APPROVAL = Question("projekte", "approval", ("a", "b", "c"), {"max_choices": 2})


@pytest.mark.parametrize(
    ("question", "answer", "reason"),
    [
        (CHECK_YES_NO, "vielleicht", "'vielleicht' is not an option"),
        (CHECK_YES_NO, ["yes"], "expected one option key"),
        (CHECK_SINGLE, 3, "expected one option key"),
        (CHECK_APPROVAL, "a", "expected a list of option keys"),
        (CHECK_APPROVAL, ["a", "a"], "an option is marked twice"),
        (CHECK_APPROVAL, ["b", "a"], "not in ballot order"),
        (CHECK_APPROVAL, ["a", "b", "c"], "3 options marked, at most 2 allowed"),
        (CHECK_APPROVAL, [], "0 options marked, at least 1 needed"),
        (CHECK_APPROVAL, ["z"], "'z' is not an option"),
    ],
)
def test_malformed_answers_are_named_with_their_reason(question, answer, reason):
    with pytest.raises(RecountError, match=reason):
        check_answer(question, answer)


def test_a_quorum_over_nobody_eligible_is_refused():
    question = Question("q", "yes_no", ("yes", "no", "abstain"), {"quorum": "rlp_buergerentscheid"})
    with pytest.raises(RecountError, match="at least one eligible voter"):
        recount(question, ["yes"], 0, b"\0" * 32)
