"""The verifier's recount against the web app's counting, method by method, ties and all."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ballots.recount import Question, RecountError, check_answer, recount, recount_for
from results.methods import count
from results.services import question_seed

OPTIONS = ("a", "b", "c", "d")
GRADES = ["schlecht", "mittel", "gut", "sehr gut"]
METHODS = [
    "yes_no",
    "single",
    "approval",
    "borda",
    "schulze",
    "irv",
    "stv",
    "majority_judgment",
    "score",
    "pb_greedy",
    "pb_equal_shares",
]


@st.composite
def questions(draw: st.DrawFn, method: str) -> Question:
    if method == "yes_no":
        quorum = draw(st.sampled_from([{}, {"quorum": "rlp_buergerentscheid"}]))
        return Question("frage", method, ("yes", "no", "abstain"), quorum)
    options = OPTIONS[: draw(st.integers(2, len(OPTIONS)))]
    params: dict = {}
    if method in ("approval", "pb_greedy", "pb_equal_shares"):
        params["max_choices"] = draw(st.integers(1, len(options)))
    if method == "stv":
        params["seats"] = draw(st.integers(1, len(options) - 1))
    if method in ("majority_judgment", "score"):
        params["grades"] = GRADES[: draw(st.integers(2, len(GRADES)))]
    if method.startswith("pb_"):
        # Small, often equal costs: projects that tie and do not all fit.
        params["budget"] = draw(st.integers(1, 12))
        params["costs"] = {o: draw(st.integers(1, 6)) for o in options}
    if method == "pb_equal_shares":
        params["completion"] = draw(st.sampled_from(["none", "add1", "greedy"]))
    return Question("frage", method, options, params)


def answers(question: Question) -> st.SearchStrategy:
    options = question.options
    if question.method in ("yes_no", "single"):
        one = st.sampled_from(options)
    elif question.method in ("approval", "pb_greedy", "pb_equal_shares"):
        most = question.params["max_choices"]
        one = st.sets(st.sampled_from(options), min_size=1, max_size=most).map(
            lambda chosen: [o for o in options if o in chosen]
        )
    elif question.method in ("majority_judgment", "score"):
        grade = st.integers(0, len(question.params["grades"]) - 1)
        one = st.dictionaries(st.sampled_from(options), grade, min_size=1)
    else:
        one = st.tuples(st.permutations(options), st.integers(1, len(options))).map(
            lambda drawn: list(drawn[0][: drawn[1]])
        )
    # A few distinct answers, each given equally often, and a few more: ties are the rule.
    return st.tuples(
        st.lists(one, min_size=1, max_size=4, unique_by=repr),
        st.integers(1, 3),
        st.lists(one | st.none(), max_size=2),
    ).map(lambda drawn: drawn[0] * drawn[1] + drawn[2])


@st.composite
def profiles(draw: st.DrawFn, method: str) -> tuple[Question, list, int, bytes]:
    question = draw(questions(method))
    return (
        question,
        draw(answers(question)),
        draw(st.integers(1, 60)),
        draw(st.binary(min_size=32, max_size=32)),
    )


@pytest.mark.parametrize("method", METHODS)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_the_recount_agrees_with_the_web_apps_counting(method, data):
    question, ballots, eligible, root = data.draw(profiles(method))
    recount_for(question)  # the verifier accepts the parameters the app counts with
    for answer in ballots:
        check_answer(question, answer)
    params = dict(question.params)
    if params.get("quorum", "none") != "none":
        params["eligible"] = eligible
    outcome = count(
        method,
        question.options,
        iter(ballots),
        **params,
        lot_seed=question_seed(root, question.key),
    )
    # Two implementations written apart must agree on every input, lots included.
    assert recount(question, iter(ballots), eligible, root) == {
        "winners": outcome.winners,
        "ranking": outcome.ranking,
        "details": outcome.details,
    }
    for lot in outcome.details.get("lot", []):
        assert lot["drawn"] in lot["tied"]
        if method.startswith("pb_"):
            # A budget publishes the lots of the outcome it kept: each drawn project is funded.
            assert lot["drawn"] in outcome.winners


def test_a_project_nobody_approved_does_not_stall_the_add1_completion():
    question = Question(
        "frage",
        "pb_equal_shares",
        ("a", "b", "c"),
        {"budget": 9, "costs": {"a": 2, "b": 3, "c": 1}},
    )
    ballots = [["a"], ["a", "b"], ["b"]]
    params = dict(question.params)
    outcome = count(question.method, question.options, ballots, **params, lot_seed=b"seed")
    assert sorted(outcome.winners) == ["a", "b"] and outcome.details["spent"] == 5
    assert sorted(recount(question, ballots, 3, b"root")["winners"]) == ["a", "b"]


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
