"""What a ballot may contain, checked in the one place casting and counting share."""

import pytest

from ballots.content import BallotError, BallotQuestion, build_content

QUESTIONS = [
    BallotQuestion("q1", "yes_no", ("yes", "no", "abstain")),
    BallotQuestion("q2", "single", ("a", "b", "c")),
    BallotQuestion("q3", "approval", ("x", "y", "z"), {"max_choices": 2}),
]


def test_answers_become_canonical_content_in_ballot_order():
    content = build_content(QUESTIONS, {"q1": "no", "q2": "c", "q3": ["z", "x"]})
    assert content == {"q1": "no", "q2": "c", "q3": ["x", "z"]}


def test_unanswered_questions_are_blank():
    assert build_content(QUESTIONS, {"q3": []}) == {"q1": None, "q2": None, "q3": None}


@pytest.mark.parametrize(
    ("answers", "problem"),
    [
        ({"q1": "vielleicht"}, "unknown_option"),
        ({"q2": ["a"]}, "wrong_type"),
        ({"q3": ["x", "y", "z"]}, "too_many"),
        ({"q3": ["x", "x"]}, "duplicate"),
        ({"q3": ["w"]}, "unknown_option"),
        ({"q9": "a"}, "unknown_question"),
    ],
)
def test_answers_that_do_not_fit_are_refused(answers, problem):
    with pytest.raises(BallotError) as error:
        build_content(QUESTIONS, answers)
    assert error.value.problem == problem
