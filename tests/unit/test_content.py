"""What a ballot may contain, checked in the one place casting and counting share."""

import pytest

from ballots.content import BallotError, BallotQuestion, build_content, check_answer

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


RANKED = BallotQuestion("r", "irv", ("a", "b", "c"))
GRADED = BallotQuestion("g", "majority_judgment", ("a", "b"), {"grades": ["bad", "ok", "good"]})


def test_rankings_keep_the_voters_order_and_may_stop_early():
    assert build_content([RANKED], {"r": ["c", "a"]}) == {"r": ["c", "a"]}


def test_grades_are_kept_in_ballot_order():
    assert build_content([GRADED], {"g": {"b": 0, "a": 2}}) == {"g": {"a": 2, "b": 0}}


@pytest.mark.parametrize(
    ("question", "answer", "problem"),
    [
        (RANKED, ["a", "a"], "duplicate"),
        (RANKED, ["d"], "unknown_option"),
        (RANKED, "a", "wrong_type"),
        (GRADED, {"a": 3}, "off_scale"),
        (GRADED, {"a": -1}, "off_scale"),
        (GRADED, {"a": "good"}, "wrong_type"),
        (GRADED, {"c": 1}, "unknown_option"),
        (GRADED, ["a"], "wrong_type"),
    ],
)
def test_rankings_and_grades_that_do_not_fit_are_refused(question, answer, problem):
    with pytest.raises(BallotError) as error:
        build_content([question], {question.key: answer})
    assert error.value.problem == problem


def test_a_budget_choice_over_the_budget_is_refused_when_cast_but_counts_when_stored():
    budget = BallotQuestion(
        "b", "pb_equal_shares", ("x", "y", "z"), {"budget": 10, "costs": {"x": 6, "y": 5, "z": 4}}
    )
    assert build_content([budget], {"b": ["z", "x"]}) == {"b": ["x", "z"]}
    with pytest.raises(BallotError) as error:
        build_content([budget], {"b": ["x", "y"]})
    assert (error.value.problem, error.value.total, error.value.limit) == ("over_budget", 11, 10)
    # Counting reads a stored answer by its shape alone, as the counting rules say.
    assert check_answer(budget, ["x", "y"]) == ["x", "y"]
